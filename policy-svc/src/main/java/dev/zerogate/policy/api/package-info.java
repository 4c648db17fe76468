/**
 * The API model ({@code zerogate.policy.v1}) against policy-svc's domain: every mapping between a
 * proto message and a record, shared by the gRPC adapter and the REST adapter (whose bodies are
 * the same messages in proto3 JSON), and the stored form of records ({@link
 * dev.zerogate.policy.api.StoredForms}), which is their API form. The only package besides the two
 * adapters that names a proto type.
 */
package dev.zerogate.policy.api;
