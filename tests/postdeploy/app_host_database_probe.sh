# The post-deploy database probe, run on the app host through SSM Run Command (tests/postdeploy/database_probe.py).
# The password goes from Secrets Manager to psql through the environment only; it is never printed: the script
# prints only the probe's verdicts, one NAME=value a line.
set -u
export AWS_DEFAULT_REGION='@REGION@'
secret=$(aws secretsmanager get-secret-value --secret-id '@SECRET_ARN@' --query SecretString --output text) \
  || { echo TLS_LOGIN=no-secret; exit 0; }
field() { printf '%s' "$secret" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
ca=$(mktemp)
curl -fsS -o "$ca" '@CA_URL@' || { echo TLS_LOGIN=no-ca-bundle; exit 0; }
export PGHOST=$(field host) PGPORT=$(field port) PGDATABASE=$(field dbname) PGUSER=$(field username)
export PGPASSWORD=$(field password) PGCONNECT_TIMEOUT=10
query="SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
if session=$(psql "sslmode=verify-full sslrootcert=$ca" -tAc "$query" 2>/dev/null); then
  echo TLS_LOGIN=ok
else
  echo TLS_LOGIN=failed
fi
echo "TLS_SESSION=$session"
if psql "sslmode=disable" -tAc "SELECT 1" >/dev/null 2>&1; then
  echo PLAINTEXT_LOGIN=accepted
else
  echo PLAINTEXT_LOGIN=refused
fi
rm -f "$ca"
