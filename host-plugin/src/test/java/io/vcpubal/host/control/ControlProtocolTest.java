package io.vcpubal.host.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vcpubal.host.accounting.TopView;
import io.vcpubal.host.daemon.VmStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Request lines to answer lines, against a handler that records what it was asked. */
class ControlProtocolTest {
    static final UnixDomainPrincipal ROOT = ControlAccessTest.peer("root", "root");
    static final UnixDomainPrincipal READER = ControlAccessTest.peer("alice", "vcpubal-ro");
    static final UnixDomainPrincipal STRANGER = ControlAccessTest.peer("bob", "users");

    final List<String> calls = new ArrayList<>();
    final ControlProtocol protocol = new ControlProtocol(new ControlHandler() {
        @Override
        public List<VmStatus> status() {
            calls.add("status");
            return List.of();
        }

        @Override
        public TopView top(int rows) {
            calls.add("top " + rows);
            return new TopView(List.of(), List.of(), List.of());
        }

        @Override
        public void setWeight(String vm, int weight) {
            calls.add("set-weight " + vm + " " + weight);
            if (vm.equals("nope")) {
                throw new IllegalArgumentException("no VM named 'nope' (known: [web])");
            }
        }

        @Override
        public void addVm(String spec) {
            calls.add("add-vm " + spec);
        }

        @Override
        public void removeVm(String vm) {
            calls.add("remove-vm " + vm);
        }

        @Override
        public void notify(String vm, String event) {
            calls.add("notify " + vm + " " + event);
        }
    }, ControlAccessTest.WITH_READ_ONLY_GROUP);

    record Case(String name, UnixDomainPrincipal peer, String request, String answer, List<String> calls) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("status", ROOT, "{\"op\":\"status\"}", "{\"vms\":[],\"ok\":true}", List.of("status")),
                new Case("top", ROOT, "{\"op\":\"top\"}",
                        "{\"top\":{\"vms\":[],\"processes\":[],\"classes\":[]},\"ok\":true}", List.of("top 40")),
                new Case("top with a row bound", ROOT, "{\"op\":\"top\",\"rows\":5}",
                        "{\"top\":{\"vms\":[],\"processes\":[],\"classes\":[]},\"ok\":true}", List.of("top 5")),
                new Case("top with a row bound out of range", ROOT, "{\"op\":\"top\",\"rows\":0}",
                        "{\"ok\":false,\"error\":\"field 'rows' must be 1..256\"}", List.of()),
                new Case("a reader may ask for top", READER, "{\"op\":\"top\",\"rows\":256}",
                        "{\"top\":{\"vms\":[],\"processes\":[],\"classes\":[]},\"ok\":true}", List.of("top 256")),
                new Case("set-weight", ROOT, "{\"op\":\"set-weight\",\"vm\":\"web\",\"weight\":512}", "{\"ok\":true}",
                        List.of("set-weight web 512")),
                new Case("the handler's refusal is the error", ROOT, "{\"op\":\"set-weight\",\"vm\":\"nope\",\"weight\":1}",
                        "{\"ok\":false,\"error\":\"no VM named 'nope' (known: [web])\"}", List.of("set-weight nope 1")),
                new Case("unknown op", ROOT, "{\"op\":\"reboot\"}",
                        "{\"ok\":false,\"error\":\"unknown op 'reboot' (known: status, top, set-weight, add-vm,"
                                + " remove-vm, notify)\"}", List.of()),
                new Case("add-vm", ROOT, "{\"op\":\"add-vm\",\"spec\":\"name=db,weight=2,qmp=/q\"}", "{\"ok\":true}",
                        List.of("add-vm name=db,weight=2,qmp=/q")),
                new Case("remove-vm", ROOT, "{\"op\":\"remove-vm\",\"vm\":\"db\"}", "{\"ok\":true}",
                        List.of("remove-vm db")),
                new Case("notify from the libvirt hook", ROOT, "{\"op\":\"notify\",\"vm\":\"instance-0000002a\","
                        + "\"event\":\"started\"}", "{\"ok\":true}", List.of("notify instance-0000002a started")),
                new Case("notify with an event that is no word", ROOT, "{\"op\":\"notify\",\"vm\":\"a\",\"event\":"
                        + "\"started; rm -rf\"}", "{\"ok\":false,\"error\":\"field 'event' must match [a-z][a-z_-]{0,31}\"}",
                        List.of()),
                new Case("a reader may not add VMs", READER, "{\"op\":\"add-vm\",\"spec\":\"name=db,weight=2,qmp=/q\"}",
                        "{\"ok\":false,\"error\":\"user alice (primary group vcpubal-ro) may only ask for status or top;"
                                + " add-vm needs root or the daemon's user (vcpubal)\"}", List.of()),
                new Case("no op", ROOT, "{}", "{\"ok\":false,\"error\":\"request needs a string field 'op'\"}", List.of()),
                new Case("weight missing", ROOT, "{\"op\":\"set-weight\",\"vm\":\"web\"}",
                        "{\"ok\":false,\"error\":\"request needs a number field 'weight'\"}", List.of()),
                new Case("not JSON", ROOT, "status please",
                        "{\"ok\":false,\"error\":\"request is not a JSON object: status please\"}", List.of()),
                new Case("JSON but not an object", ROOT, "[1]",
                        "{\"ok\":false,\"error\":\"request is not a JSON object: [1]\"}", List.of()),
                new Case("a reader may ask for status", READER, "{\"op\":\"status\"}", "{\"vms\":[],\"ok\":true}",
                        List.of("status")),
                new Case("a reader may not set weights", READER, "{\"op\":\"set-weight\",\"vm\":\"web\",\"weight\":1}",
                        "{\"ok\":false,\"error\":\"user alice (primary group vcpubal-ro) may only ask for status or top;"
                                + " set-weight needs root or the daemon's user (vcpubal)\"}", List.of()),
                new Case("a stranger is refused before the request is parsed", STRANGER, "garbage",
                        "{\"ok\":false,\"error\":\"user bob (primary group users) may not use the vcpubal-host control"
                                + " socket: only root or the daemon's user (vcpubal) may, and for status or top a process"
                                + " whose primary group is vcpubal-ro\"}", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answers(Case c) {
        assertEquals(c.answer(), protocol.answer(c.request(), c.peer()));
        assertEquals(c.calls(), calls, "what the daemon was asked");
    }

    @Test
    void aFailureWithoutMessageIsNamedByItsType() {
        ControlProtocol p = new ControlProtocol(new ControlHandler() {
            @Override
            public List<VmStatus> status() {
                throw new IllegalStateException();
            }

            @Override
            public void setWeight(String vm, int weight) {
            }
        }, ControlAccessTest.WITHOUT);
        assertEquals("{\"ok\":false,\"error\":\"java.lang.IllegalStateException\"}", p.answer("{\"op\":\"status\"}", ROOT));
    }
}
