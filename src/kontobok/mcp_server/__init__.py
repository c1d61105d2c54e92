"""kontobok's Model Context Protocol server: the books of one organization, read by assistants."""
