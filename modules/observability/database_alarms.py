"""Alarms for one RDS instance: CPU, free storage, freeable memory, connections, read and write latency."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.db_instance import DbInstance
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic
from modules.observability.topic_alarm import (
    AlarmMetric,
    Comparison,
    TopicAlarm,
    TopicAlarmProps,
    TreatMissingData,
)

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True, kw_only=True)
class DatabaseAlarmsProps:
    """Settings of DatabaseAlarms (the environment's AlarmThresholds)."""

    name_prefix: str
    """Required. Alarm-name prefix, e.g. "csg-dev-database"."""
    cpu_percent: float = 80
    """Default 80. CPUUtilization above this alarms."""
    free_storage_gib: float = 5
    """Default 5. FreeStorageSpace below this alarms."""
    freeable_memory_mib: float = 256
    """Default 256. FreeableMemory below this alarms."""
    connections: int = 100
    """Default 100. DatabaseConnections above this alarms."""
    read_latency_ms: float = 20
    """Default 20. ReadLatency above this alarms."""
    write_latency_ms: float = 20
    """Default 20. WriteLatency above this alarms."""
    period_seconds: int = 300
    """Default 300."""
    evaluation_periods: int = 3
    """Default 3."""


class DatabaseAlarms(Construct):
    """`self.alarms` by metric key (cpu, free-storage, freeable-memory, connections, read-latency,
    write-latency), each wired to the alerts topic."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        database: DbInstance,
        topic: AlertsTopic,
        props: DatabaseAlarmsProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 0 < props.cpu_percent <= 100:
            problems.append(f"cpu_percent: {props.cpu_percent} is not a percentage")
        for setting in (
            "free_storage_gib",
            "freeable_memory_mib",
            "connections",
            "read_latency_ms",
            "write_latency_ms",
        ):
            if getattr(props, setting) <= 0:
                problems.append(f"{setting}: must be positive")
        raise_if_problems(self, problems)

        # (key, metric, comparison, threshold in the metric's unit, missing data, what it means)
        specs: tuple[tuple[str, str, Comparison, float, TreatMissingData, str], ...] = (
            # CPU is always reported while the instance runs: silence means it is down (or stopped).
            (
                "cpu",
                "CPUUtilization",
                "GreaterThanThreshold",
                props.cpu_percent,
                "breaching",
                f"Database CPU above {props.cpu_percent}% (or no data: the instance is down or stopped).",
            ),
            (
                "free-storage",
                "FreeStorageSpace",
                "LessThanThreshold",
                props.free_storage_gib * GIB,
                "missing",
                f"Database free storage below {props.free_storage_gib} GiB: writes stop when it is full.",
            ),
            (
                "freeable-memory",
                "FreeableMemory",
                "LessThanThreshold",
                props.freeable_memory_mib * MIB,
                "missing",
                f"Database freeable memory below {props.freeable_memory_mib} MiB: it is swapping.",
            ),
            (
                "connections",
                "DatabaseConnections",
                "GreaterThanThreshold",
                props.connections,
                "missing",
                f"More than {props.connections} database connections: a leak or a load spike.",
            ),
            (
                "read-latency",
                "ReadLatency",
                "GreaterThanThreshold",
                props.read_latency_ms / 1000,
                "missing",
                f"Database read latency above {props.read_latency_ms} ms.",
            ),
            (
                "write-latency",
                "WriteLatency",
                "GreaterThanThreshold",
                props.write_latency_ms / 1000,
                "missing",
                f"Database write latency above {props.write_latency_ms} ms.",
            ),
        )
        self.alarms: dict[str, TopicAlarm] = {
            key: TopicAlarm(
                self,
                key,
                topic=topic,
                props=TopicAlarmProps(
                    name=f"{props.name_prefix}-{key}",
                    description=description,
                    metric=AlarmMetric(
                        namespace="AWS/RDS",
                        metric_name=metric,
                        dimensions={"DBInstanceIdentifier": database.identifier},
                    ),
                    comparison=comparison,
                    threshold=threshold,
                    treat_missing_data=missing,
                    period_seconds=props.period_seconds,
                    evaluation_periods=props.evaluation_periods,
                ),
            )
            for key, metric, comparison, threshold, missing, description in specs
        }
