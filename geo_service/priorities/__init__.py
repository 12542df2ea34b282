"""EST meeting priorities: scoring, reasons, snapshots and measure follow-up."""
