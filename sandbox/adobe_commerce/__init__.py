"""Strict simulator of Adobe Commerce 2.4.9 REST (incl. B2B and RMA), Adobe IMS and Adobe I/O Events."""
