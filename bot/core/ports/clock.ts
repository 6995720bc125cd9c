// "Now" comes from here, so every rule can be tested at any instant.
export interface Clock {
  now(): Date;
}
