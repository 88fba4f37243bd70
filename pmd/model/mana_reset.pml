/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The mana-reset authors
 *
 * A SPIN model of the MANA reset protocol (pmd/mana_reset.c, pmd/mana_guard.h).
 *
 * Processes: the reset engine, two datapath threads (one of which may stall
 * inside a burst forever, like a preempted or SIGSTOP'd poller), the hardware
 * (a service event, maybe a second one, the device back, never back, or
 * hot-removed), an application doing control operations and a dev_stop (then
 * releasing and setting up the stopped port's queues, which ethdev does
 * before it asks the driver), and an application closing the port at any
 * moment.
 *
 * Memory model: sequentially consistent. The C guard reaches that for the
 * accesses modelled here with membarrier (or seq_cst in the fenced mode);
 * tests/pmd/guard_stress_test.c checks that part on real hardware.
 *
 * Properties (checked by tests/pmd/spin_model_test.sh):
 *   safety   no burst touches device memory after teardown began
 *            (assert in datapath); no control operation overlaps the work of
 *            a reset (asserts in app and engine); every RECOVERING gets exactly
 *            one outcome (asserts at each event); a reset starts only from
 *            ACTIVE (never on a removed or failed device); a reset never
 *            touches the queues of a port the application stopped, which
 *            the application may be releasing (assert !app_queues); a
 *            reset ends REMOVED only when the device is gone or a removal
 *            arrived after the last successful reset (assert at REMOVED).
 *   liveness ltl "reset_ends": every RECOVERING is followed by its outcome.
 *
 * Must-fail variants (each removes the step that ensures one property):
 *   BUG_NO_GATE             the engine does not close the datapath gate
 *   BUG_NO_WAIT_IDLE        the engine does not wait for bursts in flight
 *   BUG_NO_OPS_WAIT         the engine does not wait for control ops in flight
 *   BUG_REMOVE_NOTIFIES     the hot-remove path reports the failure itself
 *   BUG_REQUEST_ANY_STATE   a service event starts a reset from any state
 *   BUG_NO_HW_TIMEOUT       the wait for the hardware has no bound
 *   BUG_NO_QUIESCE_TIMEOUT  the wait for bursts in flight has no bound
 *   BUG_STOPPED_QUEUES      the engine works on the queues of a stopped port
 *   BUG_STOP_ANY_PHASE      dev_stop is accepted in every phase of a reset,
 *                           not only while it waits for the hardware
 *   BUG_REMOVED_STICKY      a removal the engine heard of is never forgotten,
 *                           even after a reset succeeded on the device it
 *                           rebuilt (issue 10, defect 2): a later reset ends
 *                           REMOVED without asking the hardware
 *   BUG_REPROBE_PENDING     (with BUS) the engine re-probes a device that is
 *                           back while a bus removal awaits its verdict
 *   BUG_NO_PARK             (with MP) the primary closes the device without
 *                           telling the secondary to park its doorbell mapping
 *   BUG_NO_GEN_CHECK        (with MP) a secondary's burst checks only that the
 *                           gate is open, not that it is in step with its
 *                           generation
 *
 * Bus removal (with -DBUS, checked apart without the application's
 * control operations): the bus removes the device (RTE_DEV_EVENT_REMOVE:
 * MANA_HWE_BUS_REMOVED), maybe after a DEVICE_FATAL, and a PCI rescan may
 * bring a new device; the control daemon may say "service event"
 * (mana_reset_service) at any moment, or never; a control daemon is
 * configured or not (chosen at init: a verdict window, or none). The
 * verdict under the engine lock: part of a known service event; final at
 * once without a window; or pending until the daemon's word (service) or
 * the window's end (final, at any moment). Properties: a removal judged
 * final is never followed by a re-probe or a success (asserts at the
 * re-probe and at ACTIVE); no reset succeeds while a removal awaits its
 * verdict (assert at ACTIVE), and no device is re-probed while one awaits
 * a verdict that then turns out final (assert at the window's end).
 *
 * The control daemon's "hardware back" (with -DCTRL, checked apart without
 * the application's control operations): the daemon announces a service
 * event (mana_reset_service) while attached, then may say "hardware back"
 * (MANA_HWE_CTRL_BACK) any number of times, or die (PEER_DOWN:
 * mana_reset_ctrl_attached(false)), or say nothing more; the device either
 * never goes down (HW_UP in WAIT_HW: the incarnation the reset tore down,
 * MANA_HW_SAME), or goes down and comes back as a new one, or never comes
 * back. Properties: the old incarnation is never taken as back while the
 * daemon that announced the reset is attached and has not said so (assert
 * at the break); once the daemon is gone such a device is taken by the
 * poll, never left to the bound (assert at the bound); and reset_ends.
 *   BUG_SAME_IS_BACK        (with CTRL) the old incarnation is back at once
 *   BUG_CTRL_DOWN_WAITS     (with CTRL) the engine keeps waiting for a
 *                           departed daemon's word (until the bound)
 *
 * Multi-process (pmd/mana_mp.h, pmd/mana_sec.c; with -DMP, checked apart
 * without the application's control operations, which only the primary
 * makes, to keep the state space small): a secondary process polls
 * its own queue (index 2) through the same guard, and maps the doorbell of
 * the device's incarnation it is in step with. It either answers the
 * primary's one-way messages (PARK before the device closes, REMAP with the
 * word the gate opens with) in time, or never does (deaf: stopped, busy); a
 * deaf one, and any that finds the gate open with another generation,
 * resynchronizes by itself: it asks the primary (answered only while the
 * gate is open), then takes the answer unless the incarnation it names was
 * parked since. Properties: a secondary's burst touches only the doorbell
 * of the incarnation that is open (assert in secondary); a secondary that
 * answers has parked the incarnation the primary closes (assert before the
 * device closes).
 *
 * Model action -> C function (pmd/):
 *   datapath: in_burst=1; gate check      mana_guard_enter (mana_guard.h)
 *   datapath: assert(dev_alive)            rx/tx burst body (mana_rxtx.c)
 *   datapath: in_burst=0                   mana_guard_exit
 *   request()                              mana_reset_request (mana_reset.c)
 *   hardware: gone()                       mana_reset_hw_event(MANA_HWE_REMOVED)
 *   engine: success clears hw_removed      reset_finish(MANA_RS_ACTIVE)
 *   engine: wait ops_active == 0           reset_run: while (ops_active) wait
 *   engine: gate_closed = 1                mana_gate_close (quiesce op)
 *   engine: wait_idle                      mana_guard_wait_idle (quiesce op)
 *   engine: dev_alive = 0                  ops->teardown
 *   engine: WAIT_HW do-loop                reset_wait_hw
 *   engine: reprobe (EAGAIN if down)       ops->reprobe
 *   engine: dev_alive = 1, gate open       ops->restore
 *   engine: outcome()                      reset_finish -> ops->notify
 *   app: op begin / end                    mana_reset_op_begin / _op_end
 *   app: stop (ACTIVE): gate, wait, stopped mana_dev_stop -> mana_port_stop
 *   app: stop (WAIT_HW): stopped           mana_reset_stop_waiting
 *   app: app_queues = 1                    ethdev's queue release/setup
 *   engine: started = want_started         reset_run (and at WAIT_HW exit)
 *   closer                                 mana_reset_fini + dev_close teardown
 *   engine: park (before dev_alive = 0)    mana_mp_park (mana_port_hw_close)
 *   engine: inc++ at reprobe               mana_mp_hw_set
 *   engine: remap (at gate open)           mana_mp_remap (mana_port_start)
 *   secondary: gen != sec_seen refuses     mana_guard_enter_word (mana_rxtx.c)
 *   secondary: ask / take                  sec_sync: ATTACH, sec_take
 *   bus_removed()                          mana_reset_hw_event(MANA_HWE_BUS_REMOVED)
 *   service()                              mana_reset_service
 *   engine: window ends (rmv_pending)      reset_wait_hw: rmv_deadline passed
 *   ENDR (with each outcome's state)       reset_finish: svc_known, rmv_deadline
 *   ctrl: hw_back()                        mana_reset_hw_event(MANA_HWE_CTRL_BACK)
 *   ctrl: ctrl_up = 0                      mana_reset_ctrl_attached(false)
 *   engine: WAIT_HW break on HW_UP         reset_wait_hw: MANA_HW_SAME, reset_same_is_back
 *   engine: the bound taking HW_UP         reset_wait_hw: deadline, same
 */

#ifdef MP
#define NQ 3          /* 0, 1: the primary's pollers; 2: the secondary's */
#else
#define NQ 2
#endif
#define SQ 2

mtype = { ACTIVE, ENTER, WAIT_HW, EXIT, FAILED, REMOVED, CLOSED };
mtype = { HW_UP, HW_DOWN, HW_READY, HW_GONE };

mtype state = ACTIVE;
mtype hw = HW_UP;

bit gate_closed = 0;
bit in_burst[NQ];
bit dev_alive = 1;        /* device memory (queues, doorbell) is valid */
bit torn_down = 0;
bit pending = 0;
bit again = 0;
bit closing = 0;
bit hw_removed = 0;
bit removal_fresh = 0;    /* ghost: a removal arrived since the last success */
bit want_started = 1;
bit app_queues = 0;       /* the application releases/sets up queues */
bit ctl = 0;              /* the application's control calls, one at a time
                           * (ethdev's control path is not thread-safe) */
bit engine_done = 0;
bit reset_working = 0;    /* the engine between its ops wait and outcome */
byte ops_active = 0;
byte in_op = 0;           /* control operations doing their work */
byte recovering = 0;      /* RECOVERING events sent */
byte outcomes = 0;        /* SUCCESS or FAILED events sent */
byte inc = 1;             /* the device's incarnation (its doorbell page) */
byte gen = 0;             /* the gate's generation: each opening adds one */
bit sec_deaf;             /* the secondary answers no message (chosen at init) */
byte sec_map = 1;         /* the incarnation the secondary maps; 0: parked */
byte sec_seen = 0;        /* the generation the secondary is in step with */
byte parked_max = 0;      /* the newest incarnation it was told to park */
bit has_window;           /* a control daemon is configured (chosen at init) */
bit svc_known = 0;        /* the daemon said "service event" for this reset */
bit rmv_pending = 0;      /* a bus removal awaits its verdict */
bit rmv_final = 0;        /* ghost: a bus removal was judged final */
bit reprobed_pending = 0; /* ghost: re-probed while a removal awaited its verdict */
bit ctrl_up = 1;          /* the control daemon is attached */
bit hint = 0;             /* it said "hardware back" in this reset (cur.t_hint) */

/* A reset ends (with its outcome's state, under the lock): the daemon's
 * word and a pending verdict were about it.
 */
#define ENDR svc_known = 0; rmv_pending = 0; hint = 0

/* Is the incarnation the reset tore down (HW_UP in WAIT_HW) back? */
#define SAME_BACK (!(svc_known && ctrl_up) || hint)
#if defined(BUG_SAME_IS_BACK)
#define SAME_OK 1
#elif defined(BUG_CTRL_DOWN_WAITS)
#define SAME_OK (!svc_known || hint)
#else
#define SAME_OK SAME_BACK
#endif

ltl reset_ends { [] ((recovering > outcomes) -> <> (recovering == outcomes)) }

inline request() {
	atomic {
#ifdef BUG_REQUEST_ANY_STATE
		if
		:: state != CLOSED && !pending -> pending = 1
		:: else -> skip
		fi
#else
		if
		:: state == ACTIVE && !pending -> pending = 1
		:: state == EXIT -> again = 1
		:: else -> skip      /* merged into the reset running, or ignored */
		fi
#endif
	}
}

inline outcome() {
	atomic {
		assert(outcomes + 1 == recovering);
		outcomes++
	}
}

/* Bounded wait for bursts in flight; ok = 0 when the bound expired. */
inline wait_idle(ok) {
	ok = 1;
	i = 0;
	do
	:: i == NQ -> break
	:: i < NQ && !in_burst[i] -> i++
#ifndef BUG_NO_QUIESCE_TIMEOUT
	:: i < NQ && in_burst[i] -> ok = 0; break     /* the bound expires */
#endif
	od
}

proctype datapath(byte q)
{
	do
	:: in_burst[q] = 1;               /* seq++ (odd) */
		if
		:: gate_closed -> in_burst[q] = 0
		:: else ->
			assert(dev_alive);        /* reads the queue and doorbell */
			if
			:: q == 0 -> (false)      /* stalls inside, forever */
			:: true
			fi;
			assert(dev_alive);        /* rings the doorbell */
			in_burst[q] = 0           /* seq++ (even) */
		fi
	od
}

#ifdef MP
proctype secondary()
{
	byte r_inc, r_gen;
	bit have = 0;

	do
	:: in_burst[SQ] = 1;                  /* seq++ (odd) */
		if
#ifdef BUG_NO_GEN_CHECK
		:: gate_closed -> in_burst[SQ] = 0
#else
		:: gate_closed || gen != sec_seen -> in_burst[SQ] = 0
#endif
		:: else ->
			/* rings its doorbell: the open incarnation's page */
			assert(dev_alive && sec_map == inc);
			in_burst[SQ] = 0
		fi
	/* Resynchronization: ATTACH is answered while the gate is open ... */
	:: atomic { !have && !gate_closed && dev_alive -> r_inc = inc; r_gen = gen; have = 1 }
	/* ... and taken later, unless it names an incarnation parked since. */
	:: atomic { have -> have = 0;
		if
		:: r_inc > parked_max || r_inc == sec_map -> sec_map = r_inc; sec_seen = r_gen
		:: else -> skip
		fi }
	od
}
#endif

/* The primary's PARK before the device closes: a secondary that answers
 * parks (mana_mp_park waits for it, bounded); a deaf one does nothing.
 */
inline park() {
	atomic {
#ifndef BUG_NO_PARK
		if
		:: !sec_deaf && sec_map == inc -> sec_map = 0
		:: else -> skip
		fi;
		if
		:: parked_max < inc && !sec_deaf -> parked_max = inc
		:: else -> skip
		fi;
#endif
		/* No secondary that answers still maps what closes now. */
		assert(sec_deaf || sec_map != inc)
	}
}

/* The gate opens (with REMAP first: the secondary that answers maps the
 * new page and takes the word).
 */
inline open_gate() {
	atomic {
		if
		:: !sec_deaf -> sec_map = inc; sec_seen = gen + 1
		:: else -> skip
		fi;
		dev_alive = 1; gate_closed = 0; gen++
	}
}

/* The control daemon says "gone" (mana_reset_hw_event(MANA_HWE_REMOVED)). */
inline gone() {
	atomic {
		hw_removed = 1;
		removal_fresh = 1;
		if
		:: state == ACTIVE && !pending -> pending = 1
		:: else -> skip
		fi
	}
}

proctype hardware()
{
	hw = HW_DOWN;
	request();
	if
	:: request()                      /* a second service event, merged */
	:: skip
	fi;
	if
	:: hw = HW_READY;
		if
		:: hw = HW_DOWN; request();   /* fails again, maybe during exit */
			if
			:: hw = HW_READY
			:: skip
			fi
		:: skip
		:: gone();                    /* a late "gone" while the device is back */
			hw = HW_DOWN; request();  /* a later service event */
			hw = HW_READY
		fi
	:: atomic { hw = HW_GONE; hw_removed = 1 };
#ifdef BUG_REMOVE_NOTIFIES
		atomic { outcomes++; assert(outcomes <= recovering) }
#endif
	:: skip                           /* never comes back */
	fi
}

#if defined(BUS) || defined(CTRL)
/* The control daemon: "service event" (SVC_START, HOT_REMOVE). */
inline service() {
	atomic {
		if
		:: state == FAILED || state == REMOVED || state == CLOSED -> skip
		:: else ->
			svc_known = 1;
			rmv_pending = 0;                   /* judged: service */
			if
			:: state == ACTIVE && !pending -> pending = 1
			:: state == EXIT -> again = 1
			:: else -> skip
			fi
		fi
	}
}
#endif

#ifdef CTRL
/* "Hardware back": noted for the reset running or pending, else forgotten. */
inline hw_back() {
	atomic {
		if
		:: pending || state == ENTER || state == WAIT_HW || state == EXIT -> hint = 1
		:: else -> skip
		fi
	}
}

proctype ctrl_daemon()
{
	service();
	do
	:: hw_back()
	:: ctrl_up = 0; break             /* killed: PEER_DOWN */
	:: break                          /* says nothing more */
	od
}

/* The device never goes down (the old incarnation stays: HW_UP), or goes
 * down (DEVICE_FATAL) and comes back as a new one, or never comes back.
 */
proctype ctrl_hardware()
{
	if
	:: skip
	:: hw = HW_DOWN; request(); hw = HW_READY
	:: hw = HW_DOWN; request()
	fi
}
#endif

#ifdef BUS
/* The bus removed the device: the verdict (mana_reset.h). */
inline bus_removed() {
	atomic {
		if
		:: state == FAILED || state == REMOVED || state == CLOSED -> skip
		:: else ->
			if
			:: svc_known -> skip                   /* part of the service */
			:: !svc_known && (hw_removed || rmv_pending) -> skip
			:: !svc_known && !hw_removed && !rmv_pending && !has_window ->
				hw_removed = 1; removal_fresh = 1; rmv_final = 1
			:: !svc_known && !hw_removed && !rmv_pending && has_window ->
				rmv_pending = 1
			fi;
			if
			:: state == ACTIVE && !pending -> pending = 1
			:: state == EXIT -> again = 1
			:: else -> skip
			fi
		fi
	}
}

/* The device fails (DEVICE_FATAL) or not, the bus removes it, and a rescan
 * brings a new device, or nothing does.
 */
proctype bus_hardware()
{
	if
	:: hw = HW_DOWN; request()
	:: skip
	fi;
	bus_removed();
	hw = HW_DOWN;
	if
	:: hw = HW_READY
	:: skip
	fi
}

proctype daemon()
{
	if
	:: service()
	:: skip
	fi
}
#endif

proctype engine()
{
	byte i;
	bit ok;
	bit started;

idle:
	do
	:: atomic { closing -> break }
	:: atomic { pending && !closing ->
		assert(state == ACTIVE);      /* never on a failed or removed device */
		pending = 0; state = ENTER } ->
#ifndef BUG_NO_OPS_WAIT
		(ops_active == 0);
#endif
		atomic {
			assert(outcomes == recovering);
			recovering++;          /* RECOVERING */
			reset_working = 1;
			assert(in_op == 0);
			started = want_started
		};
cycle:
		atomic { state = ENTER; again = 0 };
		if
		:: !torn_down ->
			/* A stopped port's gate closed, and its bursts drained,
			 * when it stopped: only a started port's queues are
			 * quiesced and stopped here.
			 */
			if
#ifndef BUG_STOPPED_QUEUES
			:: started ->
#else
			:: true ->
#endif
				assert(!app_queues);
#ifndef BUG_NO_GATE
				gate_closed = 1;
#endif
#ifndef BUG_NO_WAIT_IDLE
				wait_idle(ok);
#else
				ok = 1;
#endif
				assert(!app_queues)
			:: else -> ok = 1
			fi;
			if
			:: !ok -> atomic { state = FAILED; reset_working = 0; ENDR }; outcome(); goto idle
			:: else
			fi;
			assert(in_op == 0);
			park();
			atomic { dev_alive = 0; torn_down = 1 }
		:: else
		fi;
wait_hw:
		state = WAIT_HW;
		do
		:: closing -> atomic { state = FAILED; reset_working = 0; ENDR }; outcome(); goto idle
		:: hw_removed || hw == HW_GONE ->
			atomic {
				assert(hw == HW_GONE || removal_fresh);
				state = REMOVED; reset_working = 0; ENDR
			}; outcome(); goto idle
		/* Removed (at the loop's top in C) comes before ready. */
#ifndef BUG_REPROBE_PENDING
		:: hw == HW_READY && !rmv_pending && !hw_removed -> break
#else
		:: hw == HW_READY && !hw_removed -> break
#endif
#ifdef CTRL
		/* The incarnation torn down, still there (MANA_HW_SAME). */
		:: atomic { hw == HW_UP && SAME_OK && !rmv_pending && !hw_removed ->
			assert(SAME_BACK) };   /* not while the daemon holds it */
			break
#endif
		/* The verdict window ends, nobody having said "service". */
		:: atomic { rmv_pending ->
			assert(!reprobed_pending);
			rmv_pending = 0; hw_removed = 1; removal_fresh = 1; rmv_final = 1 }
#ifndef BUG_NO_HW_TIMEOUT
#ifndef CTRL
		:: !rmv_pending && !hw_removed ->
			atomic { state = FAILED; reset_working = 0; ENDR }; outcome(); goto idle
#else
		/* The bound, checked after the probe (reset_wait_hw): never
		 * while the device counts as back.
		 */
		:: atomic { !rmv_pending && !hw_removed && hw != HW_READY &&
			    !(hw == HW_UP && SAME_OK) ->
			assert(!(hw == HW_UP && !ctrl_up));   /* the daemon gone: the poll */
			ok = (hw == HW_UP) };                 /* what the last probe said */
			if
			:: ok -> break               /* the old incarnation, taken at the bound */
			:: else -> atomic { state = FAILED; reset_working = 0; ENDR }; outcome(); goto idle
			fi
#endif
#endif
		od;
		atomic { state = EXIT; started = started && want_started };
		if
#ifdef CTRL
		:: hw != HW_READY && hw != HW_UP -> goto wait_hw   /* reprobe: -EAGAIN */
#else
		:: hw != HW_READY -> goto wait_hw      /* reprobe: -EAGAIN */
#endif
#ifndef BUG_REPROBE_PENDING
		:: hw_removed || rmv_pending -> goto wait_hw   /* judged first */
#endif
		:: else
		fi;
		atomic {
			assert(!rmv_final);           /* never re-probe a removed device */
			if
			:: rmv_pending -> reprobed_pending = 1
			:: else
			fi;
			torn_down = 0; inc++          /* a new incarnation */
		}
		if
		:: closing -> atomic { state = FAILED; reset_working = 0; ENDR }; outcome(); goto idle
		:: else
		fi;
		assert(in_op == 0);
		if
#ifndef BUG_STOPPED_QUEUES
		:: started ->
#else
		:: true ->
#endif
			assert(!app_queues);
			open_gate()
		:: else -> dev_alive = 1     /* reopened; the queues stay down */
		fi;
		/* The check and the outcome under one lock (reset_run). */
		atomic {
			if
			:: again -> goto cycle
			:: else
			fi;
			assert(!rmv_final && !rmv_pending);   /* no success unjudged */
			state = ACTIVE; reset_working = 0; ENDR;
			removal_fresh = 0;
#ifndef BUG_REMOVED_STICKY
			hw_removed = 0     /* reset_finish: the rebuilt device works */
#endif
		};
		outcome()
	od;
	engine_done = 1
}

proctype app()
{
	byte i;
	bit ok;
	bit stopped = 0;

	/* A control operation (configure, mtu_set, ...). */
	atomic {
		!ctl -> ctl = 1;
		if
		:: state == ACTIVE -> ops_active++; ok = 1
		:: else -> ok = 0                /* -EBUSY or -EIO */
		fi
	};
	if
	:: ok ->
		in_op++;
		assert(!reset_working);
		in_op--;
		ops_active--
	:: else
	fi;
	ctl = 0;
	/* dev_stop: in ACTIVE a control operation that closes the gate and
	 * waits for bursts; while a reset waits for the hardware, recorded at
	 * once; -EBUSY in the other phases; after a failure, stopped already.
	 */
	atomic {
		!ctl -> ctl = 1;
		if
		:: state == ACTIVE -> ops_active++; ok = 1
#ifndef BUG_STOP_ANY_PHASE
		:: state == WAIT_HW -> want_started = 0; stopped = 1; ok = 0
		:: state == ENTER || state == EXIT -> ok = 0
#else
		:: state == WAIT_HW || state == ENTER || state == EXIT ->
			want_started = 0; stopped = 1; ok = 0
#endif
		:: state == FAILED || state == REMOVED -> stopped = 1; ok = 0
		:: state == CLOSED -> ok = 0
		fi
	};
	if
	:: ok ->
		in_op++;
		assert(!reset_working);
		gate_closed = 1;
		wait_idle(ok);
		if
		:: ok -> want_started = 0; stopped = 1
		:: else -> atomic { gate_closed = 0; gen++ }  /* stuck: -EBUSY, reopened */
		fi;
		in_op--;
		ops_active--
	:: else
	fi;
	ctl = 0;
	/* A stopped port's queues are the application's: ethdev releases and
	 * sets them up (before it asks the driver, so in any engine state).
	 */
	if
	:: stopped ->
		atomic { !ctl -> ctl = 1 };
		app_queues = 1;
		app_queues = 0;
		ctl = 0
	:: else
	fi
}

proctype closer()
{
	byte i;
	bit ok;

	if
	:: skip                              /* the application never closes */
	:: atomic { !ctl -> ctl = 1; closing = 1 };   /* between the app's calls */
		engine_done;                     /* join */
		state = CLOSED;
		assert(outcomes == recovering);
		if
		:: !torn_down ->
			gate_closed = 1;
			wait_idle(ok);
			if
			:: ok -> park(); atomic { dev_alive = 0; torn_down = 1 }
			:: else                      /* a burst is inside: leak, never free */
			fi
		:: else
		fi
	fi
}

init
{
	atomic {
		run engine();
		gen = 1; sec_seen = 1;      /* the port started: in step */
#ifdef MP
		if
		:: sec_deaf = 0
		:: sec_deaf = 1
		fi;
		run secondary();
#else
		sec_deaf = 1;               /* no secondary at all */
#endif
		run datapath(0);
		run datapath(1);
#ifdef BUS
		if
		:: has_window = 0
		:: has_window = 1
		fi;
		run bus_hardware();
		run daemon();
#elif defined(CTRL)
		run ctrl_hardware();
		run ctrl_daemon();
#else
		run hardware();
#endif
#if !defined(MP) && !defined(BUS) && !defined(CTRL)
		run app();
#endif
		run closer()
	}
}
