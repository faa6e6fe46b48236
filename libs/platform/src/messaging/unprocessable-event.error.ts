/**
 * Thrown by an event handler when retrying cannot help: the event names something this service
 * never had, or contradicts it. The consumer dead-letters it at once (with its alert) instead of
 * blocking the partition through every retry.
 */
export class UnprocessableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessableEventError';
  }
}
