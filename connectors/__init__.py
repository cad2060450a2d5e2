"""One httpx client per external system. Every client raises only the errors in `connectors.errors`,
so activities can map them to retryable or non-retryable Temporal failures in one place."""
