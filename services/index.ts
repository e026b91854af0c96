export * from "./autoscaling";
export * from "./loadBalancer";
export * from "./microservice";
export * from "./networkPolicies";
export * from "./registry";
export * from "./sampleApp";
export * from "./sizing";
