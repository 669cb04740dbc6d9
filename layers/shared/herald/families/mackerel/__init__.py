"""herald.families.mackerel"""
