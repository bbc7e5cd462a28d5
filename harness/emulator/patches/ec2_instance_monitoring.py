"""EC2 MonitorInstances and UnmonitorInstances, which moto 5.2.5 does not implement.

Why the platform needs it: the app host has detailed monitoring on (one-minute metrics for its status
alarm). Terraform turns it on with MonitorInstances after launch; moto answered 500, so the instance could
not be created. The instance's monitoring state is what DescribeInstances already reports.
"""

from moto.core.responses import ActionResult
from moto.ec2.responses.monitoring import Monitoring


def _set_monitoring(self: Monitoring, state: str) -> ActionResult:
    self.error_on_dryrun()
    monitorings = []
    for instance_id in self._get_param("InstanceIds", []):
        instance = self.ec2_backend.get_instance(instance_id)
        instance.monitoring_state = state
        monitorings.append({"InstanceId": instance_id, "Monitoring": {"State": state}})
    return ActionResult({"InstanceMonitorings": monitorings})


def _monitor_instances(self: Monitoring) -> ActionResult:
    return _set_monitoring(self, "enabled")


def _unmonitor_instances(self: Monitoring) -> ActionResult:
    return _set_monitoring(self, "disabled")


def apply() -> None:
    """Replace moto's NotImplementedError stubs."""
    Monitoring.monitor_instances = _monitor_instances  # type: ignore[method-assign,assignment]
    Monitoring.unmonitor_instances = _unmonitor_instances  # type: ignore[method-assign,assignment]
