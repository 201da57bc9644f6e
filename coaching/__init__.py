"""Coaching preparation: the plan, self-assessment summary, conversation prompts, resources and exports."""
