package dev.zerogate.policy.rest;

import dev.zerogate.policy.Actor;
import dev.zerogate.policy.api.PolicyMessages;
import dev.zerogate.policy.caller.Callers;
import dev.zerogate.policy.engine.model.GroupSource;
import dev.zerogate.policy.service.AccessRuleService;
import dev.zerogate.policy.service.ConnectorService;
import dev.zerogate.policy.service.GroupService;
import dev.zerogate.policy.service.NetworkService;
import dev.zerogate.policy.service.PolicyError;
import dev.zerogate.policy.service.ResourceService;
import dev.zerogate.proto.policy.v1.AccessRule;
import dev.zerogate.proto.policy.v1.Connector;
import dev.zerogate.proto.policy.v1.Group;
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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
    private final NetworkService networks;
    private final ConnectorService connectors;
    private final ResourceService resources;
    private final GroupService groups;
    private final AccessRuleService rules;

    PolicyAdminResource(Callers callers, NetworkService networks, ConnectorService connectors, ResourceService resources,
                        GroupService groups, AccessRuleService rules) {
        this.callers = callers;
        this.networks = networks;
        this.connectors = connectors;
        this.resources = resources;
        this.groups = groups;
        this.rules = rules;
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

    private static List<String> mask(String updateMask) {
        if (updateMask == null || updateMask.isBlank()) {
            throw PolicyError.invalid("update_mask", "is required: ?update_mask=name,description or ?update_mask=*");
        }
        return Arrays.stream(updateMask.split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList();
    }

    /** "LOCAL" or "local", or the API's full name "GROUP_SOURCE_LOCAL"; empty or UNSPECIFIED for any. */
    private static Optional<GroupSource> groupSource(String source) {
        if (source == null || source.isEmpty()) {
            return Optional.empty();
        }
        String name = source.startsWith("GROUP_SOURCE_") ? source.substring("GROUP_SOURCE_".length()) : source.toUpperCase(Locale.ROOT);
        return switch (name) {
            case "UNSPECIFIED" -> Optional.empty();
            case "LOCAL" -> Optional.of(GroupSource.LOCAL);
            case "IDP_SYNC" -> Optional.of(GroupSource.IDP_SYNC);
            default -> throw PolicyError.invalid("source", "must be LOCAL or IDP_SYNC");
        };
    }

    // RemoteNetwork

    @GET
    @Path("/remote-networks")
    @Tag(name = "remote-networks")
    @Operation(summary = "List remote-networks, one page", description = "Proto3 JSON of zerogate.policy.v1.ListRemoteNetworksResponse.")
    public Uni<Response> listNetworks(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @QueryParam("page_size") @DefaultValue("0") int pageSize, @QueryParam("page_token") @DefaultValue("") String pageToken) {
        return asAdmin(authorization, http, actor -> networks.list(pageSize, pageToken)
                .map(page -> Response.ok(ProtoJson.page("remote_networks", page.items().stream().map(PolicyMessages::toProto).toList(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/remote-networks")
    @Tag(name = "remote-networks")
    @Operation(summary = "Create a RemoteNetwork", description = "Body: proto3 JSON of zerogate.policy.v1.RemoteNetwork; output-only fields are ignored.")
    public Uni<Response> createNetwork(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> networks.create(actor, PolicyMessages.draft(ProtoJson.parse(body, RemoteNetwork.newBuilder()).build()))
                .map(PolicyMessages::toProto).map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/remote-networks/{id}")
    @Tag(name = "remote-networks")
    @Operation(summary = "Get one RemoteNetwork")
    public Uni<Response> getNetwork(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> networks.get(id).map(PolicyMessages::toProto).map(found -> entity(200, found, found.getEtag())));
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
            return networks.update(actor, PolicyMessages.draft(input.build()), mask(updateMask)).map(PolicyMessages::toProto).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/remote-networks/{id}")
    @Tag(name = "remote-networks")
    @Operation(summary = "Delete a RemoteNetwork", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteNetwork(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> networks.delete(actor, id, etag(ifMatch, ""))
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
        return asAdmin(authorization, http, actor -> connectors.list(pageSize, pageToken, remoteNetworkId)
                .map(page -> Response.ok(ProtoJson.page("connectors", page.items().stream().map(PolicyMessages::toProto).toList(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/connectors")
    @Tag(name = "connectors")
    @Operation(summary = "Create a Connector", description = "Body: proto3 JSON of zerogate.policy.v1.Connector; output-only fields are ignored.")
    public Uni<Response> createConnector(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> connectors.create(actor, PolicyMessages.draft(ProtoJson.parse(body, Connector.newBuilder()).build()))
                .map(PolicyMessages::toProto).map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/connectors/{id}")
    @Tag(name = "connectors")
    @Operation(summary = "Get one Connector")
    public Uni<Response> getConnector(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> connectors.get(id).map(PolicyMessages::toProto).map(found -> entity(200, found, found.getEtag())));
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
            return connectors.update(actor, PolicyMessages.draft(input.build()), mask(updateMask)).map(PolicyMessages::toProto).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/connectors/{id}")
    @Tag(name = "connectors")
    @Operation(summary = "Delete a Connector", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteConnector(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> connectors.delete(actor, id, etag(ifMatch, ""))
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
        return asAdmin(authorization, http, actor -> resources.list(pageSize, pageToken, remoteNetworkId, query)
                .map(page -> Response.ok(ProtoJson.page("resources", page.items().stream().map(PolicyMessages::toProto).toList(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/resources")
    @Tag(name = "resources")
    @Operation(summary = "Create a Resource", description = "Body: proto3 JSON of zerogate.policy.v1.Resource; output-only fields are ignored.")
    public Uni<Response> createResource(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> resources.create(actor, PolicyMessages.draft(ProtoJson.parse(body, Resource.newBuilder()).build()))
                .map(PolicyMessages::toProto).map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/resources/{id}")
    @Tag(name = "resources")
    @Operation(summary = "Get one Resource")
    public Uni<Response> getResource(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> resources.get(id).map(PolicyMessages::toProto).map(found -> entity(200, found, found.getEtag())));
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
            return resources.update(actor, PolicyMessages.draft(input.build()), mask(updateMask)).map(PolicyMessages::toProto).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/resources/{id}")
    @Tag(name = "resources")
    @Operation(summary = "Delete a Resource", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteResource(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> resources.delete(actor, id, etag(ifMatch, ""))
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
        return asAdmin(authorization, http, actor -> groups.list(pageSize, pageToken, groupSource(source), memberUserId, memberServiceAccountId)
                .map(page -> Response.ok(ProtoJson.page("groups", page.items().stream().map(group -> PolicyMessages.toProto(group, false)).toList(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/groups")
    @Tag(name = "groups")
    @Operation(summary = "Create a Group", description = "Body: proto3 JSON of zerogate.policy.v1.Group; output-only fields are ignored.")
    public Uni<Response> createGroup(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> groups.create(actor, PolicyMessages.draft(ProtoJson.parse(body, Group.newBuilder()).build()))
                .map(group -> PolicyMessages.toProto(group, true)).map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/groups/{id}")
    @Tag(name = "groups")
    @Operation(summary = "Get one Group")
    public Uni<Response> getGroup(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> groups.get(id).map(group -> PolicyMessages.toProto(group, true)).map(found -> entity(200, found, found.getEtag())));
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
            return groups.update(actor, PolicyMessages.draft(input.build()), mask(updateMask)).map(group -> PolicyMessages.toProto(group, true)).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/groups/{id}")
    @Tag(name = "groups")
    @Operation(summary = "Delete a Group", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteGroup(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> groups.delete(actor, id, etag(ifMatch, ""))
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
        return asAdmin(authorization, http, actor -> rules.list(pageSize, pageToken, groupId, serviceAccountId, resourceId)
                .map(page -> Response.ok(ProtoJson.page("rules", page.items().stream().map(PolicyMessages::toProto).toList(), page.nextPageToken())).build()));
    }

    @POST
    @Path("/access-rules")
    @Tag(name = "access-rules")
    @Operation(summary = "Create a AccessRule", description = "Body: proto3 JSON of zerogate.policy.v1.AccessRule; output-only fields are ignored.")
    public Uni<Response> createRule(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http, String body) {
        return asAdmin(authorization, http, actor -> rules.create(actor, PolicyMessages.draft(ProtoJson.parse(body, AccessRule.newBuilder()).build()))
                .map(PolicyMessages::toProto).map(created -> entity(201, created, created.getEtag())));
    }

    @GET
    @Path("/access-rules/{id}")
    @Tag(name = "access-rules")
    @Operation(summary = "Get one AccessRule")
    public Uni<Response> getRule(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id) {
        return asAdmin(authorization, http, actor -> rules.get(id).map(PolicyMessages::toProto).map(found -> entity(200, found, found.getEtag())));
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
            return rules.update(actor, PolicyMessages.draft(input.build()), mask(updateMask)).map(PolicyMessages::toProto).map(updated -> entity(200, updated, updated.getEtag()));
        });
    }

    @DELETE
    @Path("/access-rules/{id}")
    @Tag(name = "access-rules")
    @Operation(summary = "Delete a AccessRule", description = "If-Match: the etag last read (optional).")
    public Uni<Response> deleteRule(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
            @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return asAdmin(authorization, http, actor -> rules.delete(actor, id, etag(ifMatch, ""))
                .map(ignored -> Response.noContent().build()));
    }
}
