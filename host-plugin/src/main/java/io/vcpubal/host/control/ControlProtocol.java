package io.vcpubal.host.control;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.vcpubal.host.accounting.ProcessTable;
import jdk.net.UnixDomainPrincipal;

/**
 * One request line in, one answer line out, for a peer:
 *
 * <pre>
 * {"op":"status"}                              -> {"ok":true,"vms":[...VmStatus...]}
 * {"op":"top","rows":40}                       -> {"ok":true,"top":{...TopView...}} (rows optional, 1..256)
 * {"op":"set-weight","vm":"web","weight":512}  -> {"ok":true}
 * {"op":"add-vm","spec":"name=web,weight=512,qmp=/run/web.qmp,agent=/run/web.agent"} -> {"ok":true}
 * {"op":"remove-vm","vm":"web"}                -> {"ok":true} once the guest has its vCPUs back
 * {"op":"notify","vm":"web","event":"started"} -> {"ok":true} (a hint; the daemon looks for itself)
 * anything else, or not allowed for the peer   -> {"ok":false,"error":"..."}
 * </pre>
 */
final class ControlProtocol {
    static final Gson GSON = new Gson();
    /** Rows of {@code top} when the request names none. */
    static final int DEFAULT_TOP_ROWS = 40;
    /** What a libvirt domain name may look like here: printable, no spaces, and short enough to log. */
    private static final java.util.regex.Pattern DOMAIN_NAME = java.util.regex.Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final java.util.regex.Pattern EVENT = java.util.regex.Pattern.compile("[a-z][a-z_-]{0,31}");

    private final ControlHandler handler;
    private final ControlAccess access;

    ControlProtocol(ControlHandler handler, ControlAccess access) {
        this.handler = handler;
        this.access = access;
    }

    String answer(String line, UnixDomainPrincipal peer) {
        if (access.levelOf(peer) == ControlAccess.Level.NONE) {
            // Refused before parsing: nothing of the request is looked at for a stranger.
            return error(access.refusal(peer, "any op"));
        }
        JsonObject req = parse(line);
        if (req == null) {
            return error("request is not a JSON object: " + line);
        }
        JsonObject out = new JsonObject();
        try {
            String op = text(req, "op");
            String refusal = access.refusal(peer, op);
            if (refusal != null) {
                return error(refusal);
            }
            switch (op) {
                case "status" -> out.add("vms", GSON.toJsonTree(handler.status()));
                case "top" -> out.add("top", GSON.toJsonTree(handler.top(rows(req))));
                case "set-weight" -> handler.setWeight(text(req, "vm"), integer(req, "weight"));
                case "add-vm" -> handler.addVm(text(req, "spec"));
                case "remove-vm" -> handler.removeVm(text(req, "vm"));
                case "notify" -> handler.notify(bounded(req, "vm", DOMAIN_NAME), bounded(req, "event", EVENT));
                default -> throw new IllegalArgumentException("unknown op '" + op + "' (known: status, top,"
                        + " set-weight, add-vm, remove-vm, notify)");
            }
        } catch (Exception e) {
            return error(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        out.addProperty("ok", true);
        return out.toString();
    }

    /** The request object, or null when the line is not one. */
    private static JsonObject parse(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }

    static String error(String message) {
        JsonObject out = new JsonObject();
        out.addProperty("ok", false);
        out.addProperty("error", message);
        return out.toString();
    }

    private static String text(JsonObject req, String field) {
        JsonElement e = req.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("request needs a string field '" + field + "'");
        }
        return e.getAsString();
    }

    private static String bounded(JsonObject req, String field, java.util.regex.Pattern allowed) {
        String v = text(req, field);
        if (!allowed.matcher(v).matches()) {
            throw new IllegalArgumentException("field '" + field + "' must match " + allowed.pattern());
        }
        return v;
    }

    /** {@code top}'s optional row bound. */
    private static int rows(JsonObject req) {
        if (!req.has("rows")) {
            return DEFAULT_TOP_ROWS;
        }
        int rows = integer(req, "rows");
        if (rows < 1 || rows > ProcessTable.DEFAULT_ROWS_IN_ALL) {
            throw new IllegalArgumentException("field 'rows' must be 1.." + ProcessTable.DEFAULT_ROWS_IN_ALL);
        }
        return rows;
    }

    private static int integer(JsonObject req, String field) {
        JsonElement e = req.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("request needs a number field '" + field + "'");
        }
        return e.getAsInt();
    }
}
