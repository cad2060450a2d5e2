"""Connector for Adobe Commerce (Magento 2.4.9 REST, incl. B2B and RMA) and Adobe I/O Events.

Wire-level assumptions live in `connectors.adobe_commerce.contract`.
"""

from connectors.adobe_commerce.auth import AdminTokenCredentials, AdobeCredentials, ImsCredentials, OAuth1Credentials
from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.connector import AdobeCommerce

__all__ = [
    "AdminTokenCredentials",
    "AdobeCommerce",
    "AdobeCommerceClient",
    "AdobeCredentials",
    "ImsCredentials",
    "OAuth1Credentials",
]
