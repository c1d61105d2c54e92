"""The dashboard under ``/ui/``: server-rendered pages of an organization's books for a person in a browser.

Pages are Jinja2 templates rendered on the server; htmx swaps parts of a page (the register's table when a
filter changes, the import's report). The JavaScript and CSS come from files vendored into the package
(``static/vendor``), so a browser fetches nothing from anywhere but the kontobok server.
"""
