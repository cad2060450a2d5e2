"""The one place platform payloads become case facts.

Each platform's module turns what its webhooks deliver and what its connector reads into the facts
the cases start with: `OrderFacts` (order review), `ReturnFacts` (return case) and `OrderRef`
(fulfillment exception). Connectors only parse and read; the routes read, map errors to HTTP
answers and start the cases.
"""
