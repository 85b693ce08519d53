"""Schedule: campaigns, live sessions and their run-of-show, and the rules that refuse conflicts."""
