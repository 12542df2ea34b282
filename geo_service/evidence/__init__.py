"""Evidence for the action plan: near repeats per category group and the backtest of hot spot
rankings, read from a municipality's events in PostGIS and cached per data version."""
