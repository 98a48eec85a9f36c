package shopwaretest

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/switchboard-app/switchboard/connectors/rest/spectest"
)

// The state machines: state -> action -> state.
var (
	orderMachine = map[string]map[string]string{
		"open":        {"process": "in_progress", "cancel": "cancelled"},
		"in_progress": {"complete": "completed", "cancel": "cancelled"},
		"completed":   {"reopen": "open"},
		"cancelled":   {"reopen": "open"},
	}
	deliveryMachine = map[string]map[string]string{
		"open":              {"ship": "shipped", "ship_partially": "shipped_partially", "cancel": "cancelled"},
		"shipped_partially": {"ship": "shipped", "retour": "returned", "cancel": "cancelled"},
		"shipped":           {"retour": "returned", "cancel": "cancelled"},
		"returned":          {"reopen": "open"},
		"cancelled":         {"reopen": "open"},
	}
)

// State is a state as Shopware writes it on a record.
func State(machine, name string) map[string]any {
	return map[string]any{"id": ID(machine + "." + name), "technicalName": name, "stateMachineId": ID(machine),
		"name": strings.ReplaceAll(name, "_", " ")}
}

// move takes a record through a transition of its machine.
func (s *Shop) move(rec map[string]any, machine string, states map[string]map[string]string, action string) *spectest.Reply {
	st, _ := lookup(rec, "stateMachineState.technicalName")
	from := fmt.Sprint(st)
	to, ok := states[from][action]
	if !ok {
		var possible []string
		for a := range states[from] {
			possible = append(possible, a)
		}
		sort.Strings(possible)
		r := badRequest("SYSTEM__ILLEGAL_STATE_TRANSITION", fmt.Sprintf("Illegal transition %q from state %q. Possible transitions are: %s",
			action, from, strings.Join(possible, ", ")))
		return &r
	}
	rec["stateMachineState"], rec["stateId"], rec["updatedAt"] = State(machine, to), ID(machine+"."+to), s.tick()
	return nil
}

// orderOfDelivery finds the order that holds a delivery.
func (s *Shop) orderOfDelivery(id string) (map[string]any, map[string]any, bool) {
	_, o, ok := s.Store.Find(Orders, func(o map[string]any) bool { return delivery(o, id) != nil })
	if !ok {
		return nil, nil, false
	}
	return o, delivery(o, id), true
}

func delivery(o map[string]any, id string) map[string]any {
	list, _ := o["deliveries"].([]any)
	for _, d := range list {
		if m := d.(map[string]any); m["id"] == id {
			return m
		}
	}
	return nil
}

// patchDelivery changes a delivery's fields (its tracking codes).
func (s *Shop) patchDelivery(c *spectest.Call) spectest.Reply {
	o, d, ok := s.orderOfDelivery(c.Params["id"])
	if !ok {
		return notFound("order_delivery", c.Params["id"])
	}
	merge(d, c.Body.(map[string]any))
	d["updatedAt"] = s.tick()
	s.Add(Orders, o)
	return spectest.JSON(200, map[string]any{"data": d})
}

func (s *Shop) deliveryTransition(c *spectest.Call) spectest.Reply {
	o, d, ok := s.orderOfDelivery(c.Params["orderDeliveryId"])
	if !ok {
		return notFound("order_delivery", c.Params["orderDeliveryId"])
	}
	if refused := s.move(d, "order_delivery.state", deliveryMachine, c.Params["transition"]); refused != nil {
		return *refused
	}
	s.Add(Orders, o)
	return spectest.Reply{Status: http.StatusOK}
}

func (s *Shop) orderTransition(c *spectest.Call) spectest.Reply {
	o, ok := c.Store.Get(Orders, c.Params["orderId"])
	if !ok {
		return notFound("order", c.Params["orderId"])
	}
	if refused := s.move(o, "order.state", orderMachine, c.Params["transition"]); refused != nil {
		return *refused
	}
	s.Add(Orders, o)
	return spectest.Reply{Status: http.StatusOK}
}
