"""CloudSafeGuard's own extensions of moto, applied by the emulator launcher before it serves.

One patch is one module in this package. Its docstring says which moto gap it closes and why the
platform needs it closed; its `apply()` installs it (idempotently: applying twice changes nothing more).
To add a patch, write the module and append it to `PATCHES`; the launcher applies them in that order,
after the platform's moto settings are in the environment and before the server starts.

Patches change moto only inside the emulator process; nothing here is imported by deployed code.
"""

from typing import Protocol

from harness.emulator.patches import (
    budgets_subscribers_and_tags,
    ebs_default_kms_key,
    ec2_instance_monitoring,
    ec2_instance_network_reads,
    flow_log_group_name,
    glue_athena_deletes,
    glue_batch_stop_job_run,
    glue_connection_type,
    glue_crawler_stop,
    glue_job_execution_class,
    glue_on_demand_trigger_state,
    guardduty_detector_features,
    lambda_dead_letter_config,
    rds_default_ca,
    rds_parameter_source,
    rds_performance_insights,
    s3_bucket_policy_conditions,
    s3_eventbridge_notification,
    s3_logging_target_policy,
    secret_rotation_without_versions,
    security_group_rule_descriptions,
    sns_topic_signature_version,
)


class EmulatorPatch(Protocol):
    """What a patch module provides (a module satisfies this protocol structurally)."""

    __name__: str

    def apply(self) -> None:
        """Install the patch into the already-imported moto."""


PATCHES: tuple[EmulatorPatch, ...] = (
    ebs_default_kms_key,
    s3_logging_target_policy,
    s3_bucket_policy_conditions,
    s3_eventbridge_notification,
    flow_log_group_name,
    guardduty_detector_features,
    ec2_instance_monitoring,
    budgets_subscribers_and_tags,
    secret_rotation_without_versions,
    ec2_instance_network_reads,
    security_group_rule_descriptions,
    glue_connection_type,
    glue_job_execution_class,
    glue_on_demand_trigger_state,
    glue_batch_stop_job_run,
    rds_performance_insights,
    rds_parameter_source,
    sns_topic_signature_version,
    lambda_dead_letter_config,
    glue_crawler_stop,
    glue_athena_deletes,
    rds_default_ca,
)
"""Every patch the launcher applies, in order."""


def apply_all() -> tuple[str, ...]:
    """Apply every patch in `PATCHES`, in order; return their module names (the launcher reports them)."""
    for patch in PATCHES:
        patch.apply()
    return tuple(patch.__name__ for patch in PATCHES)
