"""One construct per concern; stacks only compose them."""
