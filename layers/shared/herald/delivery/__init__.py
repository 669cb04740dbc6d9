"""What happens to a notification: planned deliveries onto the queues, then each send."""
