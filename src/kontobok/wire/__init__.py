"""Wire formats shared by the API and the importers."""
