"""Glue BatchStopJobRun, which moto 5.2.5 does not implement.

Why the platform needs it: the post-deploy data-flow test starts each curation job and stops the run at once,
so that (on AWS) it costs almost nothing. moto answered 500 to the stop. A stopped run reports STOPPED.
"""

import json

from moto.glue.exceptions import EntityNotFoundException
from moto.glue.responses import GlueResponse


def _batch_stop_job_run(self: GlueResponse) -> str:
    job_name = self._get_param("JobName")
    stopped, errors = [], []
    for run_id in self._get_param("JobRunIds", []):
        try:
            run = self.glue_backend.get_job_run(job_name, run_id)
        except EntityNotFoundException as error:
            errors.append(
                {
                    "JobName": job_name,
                    "JobRunId": run_id,
                    "ErrorDetail": {"ErrorCode": "EntityNotFoundException", "ErrorMessage": str(error)},
                }
            )
            continue
        run.status = "STOPPED"
        stopped.append({"JobName": job_name, "JobRunId": run_id})
    return json.dumps({"SuccessfulSubmissions": stopped, "Errors": errors})


def apply() -> None:
    """Add the action to moto's Glue responses."""
    GlueResponse.batch_stop_job_run = _batch_stop_job_run  # type: ignore[attr-defined]
