"""herald.families.influxdb"""
