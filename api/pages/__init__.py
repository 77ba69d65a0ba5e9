"""The portal: server-rendered pages (Jinja2) on the same services as the API, in Chinese and English."""

from __future__ import annotations

from api.pages import accounts, agencies, collections, copyright, copyright_catalogue, forums, regions, search, shell
from api.pages import admin as admin_pages
from api.pages import reports as report_pages
from api.pages import servicehall as hall_pages

ROUTERS = (shell.router, accounts.router, search.router, collections.router, copyright_catalogue.router,
           copyright.router, forums.router, agencies.router, report_pages.router, regions.router,
           hall_pages.router,
           admin_pages.router)
