"""EST meeting priorities (METHODS.md §10): scoring, reasons, snapshots and measure follow-up."""
