"""BigCommerce connector: REST v2/v3 (`BigCommerceClient`), B2B Edition (`BigCommerceB2BClient`) and
webhook verification (`connectors.bigcommerce.webhooks`)."""
