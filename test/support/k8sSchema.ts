/**
 * Validates a recorded Kubernetes object against the Kubernetes OpenAPI schema,
 * through the generated models of `kubernetes-models` (v4, CommonJS).
 */
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { ConfigMap, Namespace, Service, ServiceAccount } from "kubernetes-models/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { ClusterRole, ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";

interface Validatable {
    validate(): void;
}

const MODELS: Record<string, new (data: any) => Validatable> = {
    "kubernetes:apps/v1:Deployment": Deployment,
    "kubernetes:core/v1:Service": Service,
    "kubernetes:core/v1:Namespace": Namespace,
    "kubernetes:core/v1:ConfigMap": ConfigMap,
    "kubernetes:core/v1:ServiceAccount": ServiceAccount,
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": HorizontalPodAutoscaler,
    "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": ClusterRole,
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": ClusterRoleBinding,
};

/** Throws when the object breaks the schema, or when its type has no model here. */
export function validateK8sObject(type: string, object: Record<string, unknown>): void {
    const Model = MODELS[type];
    if (!Model) throw new Error(`no schema model for ${type}; add one to test/support/k8sSchema.ts`);
    new Model(object).validate();
}
