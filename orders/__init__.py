"""Orders: channels, customers, intake, validation, review, risk, priority, allocation records."""
