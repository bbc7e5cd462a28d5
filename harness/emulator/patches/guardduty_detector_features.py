"""GuardDuty UpdateDetector: update only the features a call names, as AWS does.

Why the platform needs it: the account baseline turns on GuardDuty protection plans one
`aws_guardduty_detector_feature` each (S3 data events, RDS login events, ...), and Terraform creates them in
parallel, one UpdateDetector call per feature. moto 5.2.5 replaced the detector's whole feature list on every
call, so all but the last feature vanished and Terraform failed to read them back ("empty result").
"""

from typing import Any

from moto.guardduty.models import Detector

_ORIGINAL = Detector.update


def _update(
    self: Detector,
    enable: bool,
    finding_publishing_frequency: str,
    data_sources: dict[str, Any],
    features: list[dict[str, Any]],
) -> None:
    if features is not None:
        by_name = {feature.get("name"): feature for feature in self.features}
        by_name.update({feature.get("name"): feature for feature in features})
        features = list(by_name.values())
    _ORIGINAL(self, enable, finding_publishing_frequency, data_sources, features)


def apply() -> None:
    """Wrap moto's update (once)."""
    if Detector.update is _ORIGINAL:
        Detector.update = _update  # type: ignore[method-assign]
