"""GuardDuty for the account and region; findings of medium severity and above go to the alerts topic."""

from dataclasses import dataclass
from typing import Literal

from cdktf_cdktf_provider_aws.guardduty_detector import GuarddutyDetector
from cdktf_cdktf_provider_aws.guardduty_detector_feature import GuarddutyDetectorFeature
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic
from modules.observability.event_alert import EventAlert, EventAlertProps

DEFAULT_FEATURES = ("S3_DATA_EVENTS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS")
MEDIUM_SEVERITY = 4.0  # GuardDuty: 4.0-6.9 medium, 7.0-8.9 high, 9.0+ critical


@dataclass(frozen=True, kw_only=True)
class ThreatDetectionProps:
    """Settings of ThreatDetection."""

    name_prefix: str
    """Required. Prefix of the findings rule name, e.g. "csg-account"."""
    finding_frequency: Literal["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"] = "FIFTEEN_MINUTES"
    """Default "FIFTEEN_MINUTES": how often updates to existing findings are published."""
    features: tuple[str, ...] = DEFAULT_FEATURES
    """Default S3 data events, EBS malware protection, RDS login events (what this platform runs)."""
    alert_min_severity: float = MEDIUM_SEVERITY
    """Default 4.0 (medium). Findings at or above this severity go to the alerts topic."""


class ThreatDetection(Construct):
    """`self.detector` (one per account and region: if one exists, import it before the first apply),
    `self.features` and `self.findings_alert` (EventAlert)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, topic: AlertsTopic, props: ThreatDetectionProps
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 1 <= props.alert_min_severity <= 10:
            problems.append("alert_min_severity: GuardDuty severities are 1-10")
        if len(set(props.features)) != len(props.features):
            problems.append("features: listed more than once")
        raise_if_problems(self, problems)

        self.detector = GuarddutyDetector(
            self, "detector", enable=True, finding_publishing_frequency=props.finding_frequency
        )
        self.features = [
            GuarddutyDetectorFeature(
                self, f"feature-{name.lower()}", detector_id=self.detector.id, name=name, status="ENABLED"
            )
            for name in props.features
        ]
        self.findings_alert = EventAlert(
            self,
            "findings",
            topic=topic,
            props=EventAlertProps(
                name=f"{props.name_prefix}-guardduty-findings",
                description=f"GuardDuty findings of severity {props.alert_min_severity} and above",
                event_pattern={
                    "source": ["aws.guardduty"],
                    "detail-type": ["GuardDuty Finding"],
                    "detail": {"severity": [{"numeric": [">=", props.alert_min_severity]}]},
                },
            ),
        )
