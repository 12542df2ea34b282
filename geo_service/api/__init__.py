"""The HTTP API: app factory, dependencies, routers and schemas."""
