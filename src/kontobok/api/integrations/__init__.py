"""kontobok extensions for integrations: the change feed, webhook subscriptions and balance monitors."""
