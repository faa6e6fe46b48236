export type ComponentStatus = 'up' | 'down';

/** What `/health/ready` answers: the service's own view of each dependency it needs. */
export interface ReadinessReport {
  readonly service: string;
  readonly status: ComponentStatus;
  /** Each dependency the service needs to do its work, e.g. `{ database: 'up', kafka: 'up' }`. */
  readonly components: Readonly<Record<string, ComponentStatus>>;
  readonly checkedAt: string;
}
