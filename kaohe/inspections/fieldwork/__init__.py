"""实地考核: field groups (实地考察组), their units and dates, and members' scores on a phone."""
