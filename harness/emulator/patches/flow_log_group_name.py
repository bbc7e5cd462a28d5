"""EC2 DescribeFlowLogs: report LogGroupName for flow logs created with a log-group ARN destination.

Why the platform needs it: the VPC flow log names its log group by ARN (LogDestination), as Terraform sends
it. AWS then reports the group's name in LogGroupName; moto 5.2.5 reports nothing, so nothing could check
which (encrypted) log group the flow logs go to.
"""

from typing import Any

from moto.ec2.models.flow_logs import FlowLogsBackend

_ORIGINAL = FlowLogsBackend.create_flow_logs
LOG_GROUP_ARN_MARKER = ":log-group:"


def _create_flow_logs(self: FlowLogsBackend, *args: Any, **kwargs: Any) -> Any:
    flow_logs, errors = _ORIGINAL(self, *args, **kwargs)
    for flow_log in flow_logs:
        destination = flow_log.log_destination or ""
        if flow_log.log_group_name is None and LOG_GROUP_ARN_MARKER in destination:
            flow_log.log_group_name = destination.split(LOG_GROUP_ARN_MARKER, 1)[1].removesuffix(":*")
    return flow_logs, errors


def apply() -> None:
    """Wrap moto's create (once)."""
    if FlowLogsBackend.create_flow_logs is _ORIGINAL:
        FlowLogsBackend.create_flow_logs = _create_flow_logs  # type: ignore[method-assign]
