package dev.zerogate.policy.rest;

import dev.zerogate.policy.grpc.Callers;
import dev.zerogate.policy.service.Actor;
import dev.zerogate.policy.service.PolicyAdministration;
import dev.zerogate.policy.service.PolicyError;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.Group;
import dev.zerogate.proto.policy.v1.GroupSource;
import dev.zerogate.proto.policy.v1.RemoteNetwork;
import dev.zerogate.proto.policy.v1.Resource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The REST/JSON face of PolicyAdminService, for tools that speak HTTP rather than gRPC. Bodies
 * are the proto3 JSON of the same messages; entities carry an {@code ETag} header (their etag)
 * and {@code PATCH}/{@code DELETE} honour {@code If-Match}; {@code PATCH} takes the fields to
 * change as {@code update_mask} (comma-separated paths). Admins only; errors are
 * {@code application/problem+json}. Served under {@code /api/v1}; the OpenAPI document is at
 * {@code /q/openapi}.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "bearer")
public class PolicyAdminResource {

    private final Callers callers;
    private final PolicyAdministration admin;

    PolicyAdminResource(Callers callers, PolicyAdministration admin) {
        this.callers = callers;
        this.admin = admin;
    }

    /** Runs {@code work} as the calling admin; failures become problem documents. */
    private Uni<Response> asAdmin(String authorization, HttpServerRequest http, Function<Actor, Uni<Response>> work) {
        Callers.Call call = RestCalls.call(authorization, http);
        return callers.requireAdmin(call)
                .chain(caller -> work.apply(Callers.actor(caller, call)))
                .onFailure().recoverWithItem(Problems::of);
    }

    private static Response entity(int status, com.google.protobuf.Message entity, String etag) {
        return Response.status(status).entity(ProtoJson.print(entity)).header("ETag", "\"" + etag + "\"").build();
    }

    /** The etag to check: If-Match wins over the body's; "*" means unconditional. */
    private static String etag(String ifMatch, String bodyEtag) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return bodyEtag;
        }
        String value = ifMatch.strip();
        if (value.equals("*")) {
            return "";
        }
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        return value.replace("\"", "");
    }

    private static com.google.protobuf.FieldMask mask(String updateMask) {
        if (updateMask == null || updateMask.isBlank()) {
            throw PolicyError.invalid("update_mask", "is required: ?update_mask=name,description or ?update_mask=*");
        }
        return com.google.protobuf.FieldMask.newBuilder().addAllPaths(Arrays.stream(updateMask.split(","))
                .map(String::strip).filter(p -> !p.isEmpty()).toList()).build();
    }

    private static GroupSource groupSource(String source) {
        if (source == null || source.isEmpty()) {
            return GroupSource.GROUP_SOURCE_UNSPECIFIED;
        }
        try {
            return GroupSource.valueOf(source.startsWith("GROUP_SOURCE_") ? source : "GROUP_SOURCE_" + source.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PolicyError.invalid("source", "must be LOCAL or IDP_SYNC");
        }
    }

    // RemoteNetwork

    @GET
    @Path("/remote-networks")
    @Tag(name = "remote-networks")
    @Operation(summary = "List remote-networks, one page", description = "Proto3 JSON of zerogate.policy.v1.ListRemoteNetworksResponse.")
    public Uni<Response> listNetworks(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @QueryParam("page_size") @DefaultValue("0") int pageSize, @QueryParam("page_token") @DefaultValue("") String pageToken) {
        return asAdmin(authorization, http, actor -> admin.listNetworks(pageSize, pageToken)
                .map(page -> Response.ok(ProtoJson.page("remote_networks", page.items(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/remote-networks")
    @Tag(name = "remote-networks")
    @Operation(summary = "Create a RemoteNetwork", description = "Body: proto3 JSON of zerogate.policy.v1.RemoteNetwork; output-only fields are ignored.")
    public Uni<Response> createNetwork(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> admin.createNetwork(actor, ProtoJson.parse(body, RemoteNetwork.newBuilder()).build())
                .map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/remote-networks/{id}")
    @Tag(name = "remote-networks")
    @Operation(summary = "Get one RemoteNetwork")
    public Uni<Response> getNetwork(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> admin.getNetwork(id).map(found -> entity(200, found, found.getEtag())));
    }

    @PATCH
    @Path("/remote-networks/{id}")
    @Tag(name = "remote-networks")
    @Operation(summary = "Update the fields of a RemoteNetwork named by update_mask", description = "Body: proto3 JSON of zerogate.policy.v1.RemoteNetwork. If-Match: the etag last read.")
    public Uni<Response> updateNetwork(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @QueryParam("update_mask") String updateMask, @HeaderParam("If-Match") String ifMatch, String body) {
        return asAdmin(authorization, http, actor -> {
            RemoteNetwork.Builder input = ProtoJson.parse(body, RemoteNetwork.newBuilder()).setId(id);
            input.setEtag(etag(ifMatch, input.getEtag()));
            return admin.updateNetwork(actor, input.build(), mask(updateMask)).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/remote-networks/{id}")
    @Tag(name = "remote-networks")
    @Operation(summary = "Delete a RemoteNetwork", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteNetwork(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> admin.deleteNetwork(actor, id, etag(ifMatch, ""))
                .map(ignored -> Response.noContent().build()));
    }

    // Connector

    @GET
    @Path("/connectors")
    @Tag(name = "connectors")
    @Operation(summary = "List connectors, one page", description = "Proto3 JSON of zerogate.policy.v1.ListConnectorsResponse.")
    public Uni<Response> listConnectors(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @QueryParam("page_size") @DefaultValue("0") int pageSize, @QueryParam("page_token") @DefaultValue("") String pageToken,
            @QueryParam("remote_network_id") @DefaultValue("") String remoteNetworkId) {
        return asAdmin(authorization, http, actor -> admin.listConnectors(pageSize, pageToken, remoteNetworkId)
                .map(page -> Response.ok(ProtoJson.page("connectors", page.items(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/connectors")
    @Tag(name = "connectors")
    @Operation(summary = "Create a Connector", description = "Body: proto3 JSON of zerogate.policy.v1.Connector; output-only fields are ignored.")
    public Uni<Response> createConnector(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> admin.createConnector(actor, ProtoJson.parse(body, Connector.newBuilder()).build())
                .map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/connectors/{id}")
    @Tag(name = "connectors")
    @Operation(summary = "Get one Connector")
    public Uni<Response> getConnector(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> admin.getConnector(id).map(found -> entity(200, found, found.getEtag())));
    }

    @PATCH
    @Path("/connectors/{id}")
    @Tag(name = "connectors")
    @Operation(summary = "Update the fields of a Connector named by update_mask", description = "Body: proto3 JSON of zerogate.policy.v1.Connector. If-Match: the etag last read.")
    public Uni<Response> updateConnector(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @QueryParam("update_mask") String updateMask, @HeaderParam("If-Match") String ifMatch, String body) {
        return asAdmin(authorization, http, actor -> {
            Connector.Builder input = ProtoJson.parse(body, Connector.newBuilder()).setId(id);
            input.setEtag(etag(ifMatch, input.getEtag()));
            return admin.updateConnector(actor, input.build(), mask(updateMask)).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/connectors/{id}")
    @Tag(name = "connectors")
    @Operation(summary = "Delete a Connector", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteConnector(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> admin.deleteConnector(actor, id, etag(ifMatch, ""))
                .map(ignored -> Response.noContent().build()));
    }

    // Resource

    @GET
    @Path("/resources")
    @Tag(name = "resources")
    @Operation(summary = "List resources, one page", description = "Proto3 JSON of zerogate.policy.v1.ListResourcesResponse.")
    public Uni<Response> listResources(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @QueryParam("page_size") @DefaultValue("0") int pageSize, @QueryParam("page_token") @DefaultValue("") String pageToken,
            @QueryParam("remote_network_id") @DefaultValue("") String remoteNetworkId,
            @QueryParam("query") @DefaultValue("") String query) {
        return asAdmin(authorization, http, actor -> admin.listResources(pageSize, pageToken, remoteNetworkId, query)
                .map(page -> Response.ok(ProtoJson.page("resources", page.items(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/resources")
    @Tag(name = "resources")
    @Operation(summary = "Create a Resource", description = "Body: proto3 JSON of zerogate.policy.v1.Resource; output-only fields are ignored.")
    public Uni<Response> createResource(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> admin.createResource(actor, ProtoJson.parse(body, Resource.newBuilder()).build())
                .map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/resources/{id}")
    @Tag(name = "resources")
    @Operation(summary = "Get one Resource")
    public Uni<Response> getResource(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> admin.getResource(id).map(found -> entity(200, found, found.getEtag())));
    }

    @PATCH
    @Path("/resources/{id}")
    @Tag(name = "resources")
    @Operation(summary = "Update the fields of a Resource named by update_mask", description = "Body: proto3 JSON of zerogate.policy.v1.Resource. If-Match: the etag last read.")
    public Uni<Response> updateResource(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @QueryParam("update_mask") String updateMask, @HeaderParam("If-Match") String ifMatch, String body) {
        return asAdmin(authorization, http, actor -> {
            Resource.Builder input = ProtoJson.parse(body, Resource.newBuilder()).setId(id);
            input.setEtag(etag(ifMatch, input.getEtag()));
            return admin.updateResource(actor, input.build(), mask(updateMask)).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/resources/{id}")
    @Tag(name = "resources")
    @Operation(summary = "Delete a Resource", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteResource(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> admin.deleteResource(actor, id, etag(ifMatch, ""))
                .map(ignored -> Response.noContent().build()));
    }

    // Group

    @GET
    @Path("/groups")
    @Tag(name = "groups")
    @Operation(summary = "List groups, one page", description = "Proto3 JSON of zerogate.policy.v1.ListGroupsResponse.")
    public Uni<Response> listGroups(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @QueryParam("page_size") @DefaultValue("0") int pageSize, @QueryParam("page_token") @DefaultValue("") String pageToken,
            @QueryParam("source") @DefaultValue("") String source,
            @QueryParam("member_user_id") @DefaultValue("") String memberUserId,
            @QueryParam("member_service_account_id") @DefaultValue("") String memberServiceAccountId) {
        return asAdmin(authorization, http, actor -> admin.listGroups(pageSize, pageToken, groupSource(source), memberUserId, memberServiceAccountId)
                .map(page -> Response.ok(ProtoJson.page("groups", page.items(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/groups")
    @Tag(name = "groups")
    @Operation(summary = "Create a Group", description = "Body: proto3 JSON of zerogate.policy.v1.Group; output-only fields are ignored.")
    public Uni<Response> createGroup(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> admin.createGroup(actor, ProtoJson.parse(body, Group.newBuilder()).build())
                .map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/groups/{id}")
    @Tag(name = "groups")
    @Operation(summary = "Get one Group")
    public Uni<Response> getGroup(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> admin.getGroup(id).map(found -> entity(200, found, found.getEtag())));
    }

    @PATCH
    @Path("/groups/{id}")
    @Tag(name = "groups")
    @Operation(summary = "Update the fields of a Group named by update_mask", description = "Body: proto3 JSON of zerogate.policy.v1.Group. If-Match: the etag last read.")
    public Uni<Response> updateGroup(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @QueryParam("update_mask") String updateMask, @HeaderParam("If-Match") String ifMatch, String body) {
        return asAdmin(authorization, http, actor -> {
            Group.Builder input = ProtoJson.parse(body, Group.newBuilder()).setId(id);
            input.setEtag(etag(ifMatch, input.getEtag()));
            return admin.updateGroup(actor, input.build(), mask(updateMask)).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/groups/{id}")
    @Tag(name = "groups")
    @Operation(summary = "Delete a Group", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteGroup(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> admin.deleteGroup(actor, id, etag(ifMatch, ""))
                .map(ignored -> Response.noContent().build()));
    }

    // AccessRule

    @GET
    @Path("/access-rules")
    @Tag(name = "access-rules")
    @Operation(summary = "List access-rules, one page", description = "Proto3 JSON of zerogate.policy.v1.ListAccessRulesResponse.")
    public Uni<Response> listRules(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @QueryParam("page_size") @DefaultValue("0") int pageSize, @QueryParam("page_token") @DefaultValue("") String pageToken,
            @QueryParam("group_id") @DefaultValue("") String groupId,
            @QueryParam("service_account_id") @DefaultValue("") String serviceAccountId,
            @QueryParam("resource_id") @DefaultValue("") String resourceId) {
        return asAdmin(authorization, http, actor -> admin.listRules(pageSize, pageToken, groupId, serviceAccountId, resourceId)
                .map(page -> Response.ok(ProtoJson.page("rules", page.items(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/access-rules")
    @Tag(name = "access-rules")
    @Operation(summary = "Create a AccessRule", description = "Body: proto3 JSON of zerogate.policy.v1.AccessRule; output-only fields are ignored.")
    public Uni<Response> createRule(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> admin.createRule(actor, ProtoJson.parse(body, AccessRule.newBuilder()).build())
                .map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/access-rules/{id}")
    @Tag(name = "access-rules")
    @Operation(summary = "Get one AccessRule")
    public Uni<Response> getRule(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> admin.getRule(id).map(found -> entity(200, found, found.getEtag())));
    }

    @PATCH
    @Path("/access-rules/{id}")
    @Tag(name = "access-rules")
    @Operation(summary = "Update the fields of a AccessRule named by update_mask", description = "Body: proto3 JSON of zerogate.policy.v1.AccessRule. If-Match: the etag last read.")
    public Uni<Response> updateRule(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @QueryParam("update_mask") String updateMask, @HeaderParam("If-Match") String ifMatch, String body) {
        return asAdmin(authorization, http, actor -> {
            AccessRule.Builder input = ProtoJson.parse(body, AccessRule.newBuilder()).setId(id);
            input.setEtag(etag(ifMatch, input.getEtag()));
            return admin.updateRule(actor, input.build(), mask(updateMask)).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/access-rules/{id}")
    @Tag(name = "access-rules")
    @Operation(summary = "Delete a AccessRule", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteRule(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> admin.deleteRule(actor, id, etag(ifMatch, ""))
                .map(ignored -> Response.noContent().build()));
    }
}
