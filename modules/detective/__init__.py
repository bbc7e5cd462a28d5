"""Detective services for the account: GuardDuty and AWS Config."""
