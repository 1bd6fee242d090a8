"""Management commands of the orders app: allocate, create an API token."""
