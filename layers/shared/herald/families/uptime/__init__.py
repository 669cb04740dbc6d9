"""herald.families.uptime"""
