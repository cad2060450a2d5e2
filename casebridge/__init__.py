"""Platform code shared by the worker, the webhook shim and the starter: settings, store registry,
Temporal client factory and the search attributes every case carries."""
