"""The chess env through its AEC API: the rules, the illegal-action policies, records, prompts and pictures."""

from __future__ import annotations

import io
import random

import chess
import chess.pgn
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pettingzoo.test import api_test

import llm_arena_env
from llm_arena_env.core.outcome import EndReason, Outcome
from llm_arena_env.games.chess import fen_from_text
from llm_arena_env.games.chess.draw import draw_board, square_box
from llm_arena_env.games.chess.env import ChessEnv
from llm_arena_env.games.chess.moves import move_to_id


def play(env: ChessEnv, *actions) -> None:
    for action in actions:
        assert env.result is None, f"game over before {action!r}: {env.result}"
        env.step(action)
        assert not any("rejection" in info for info in env.infos.values()), action


def uci_id(uci: str, fen: str | None = None) -> int:
    return move_to_id(chess.Board(fen).parse_uci(uci) if fen else chess.Move.from_uci(uci))


def make(**kwargs) -> ChessEnv:
    env = llm_arena_env.make("chess", **kwargs)
    env.reset(seed=0)
    return env


# ---------------------------------------------------------------------- endings


def test_fools_mate_ends_in_checkmate_for_black() -> None:
    env = make()
    play(env, "f3", "e7e5", "g4", "Qh4#")
    assert env.infos["white"]["end_detail"] == "checkmate"
    assert env.infos["black"]["outcome"] is Outcome.WIN and env.infos["white"]["outcome"] is Outcome.LOSS
    assert env.rewards == {"white": -1.0, "black": 1.0}
    assert all(env.terminations.values()) and not any(env.truncations.values())
    assert env.infos["white"]["end_reason"] is EndReason.GAME_OVER


@pytest.mark.parametrize(
    "fen, moves, detail",
    [
        ("k7/8/3Q4/8/8/8/8/K7 w - - 0 1", ["Qb6"], "stalemate"),
        (None, ["Nf3", "Nf6", "Ng1", "Ng8", "Nf3", "Nf6", "Ng1", "Ng8"], "threefold repetition"),
        ("k7/8/8/8/8/8/8/KR6 w - - 99 60", ["Rb2"], "fifty-move rule"),
        ("k7/8/8/8/8/8/1p6/K7 w - - 0 1", ["Kxb2"], "insufficient material"),
    ],
)
def test_draw_rules_end_the_game_at_once(fen: str | None, moves: list[str], detail: str) -> None:
    env = make(fen=fen)
    play(env, *moves)
    assert env.result is not None and env.result.detail == detail
    assert env.rewards == {"white": 0.0, "black": 0.0}
    assert all(info["outcome"] is Outcome.DRAW for info in env.infos.values())
    assert all(env.terminations.values())


def test_threefold_is_not_called_one_move_early() -> None:
    env = make()
    play(env, "Nf3", "Nf6", "Ng1", "Ng8", "Nf3", "Nf6", "Ng1")
    assert env.result is None


def test_max_plies_truncates_as_a_draw() -> None:
    env = make(max_plies=3)
    play(env, "e4", "e5", "Nf3")
    assert all(env.truncations.values()) and not any(env.terminations.values())
    assert env.infos["black"]["end_reason"] is EndReason.MAX_TURNS
    assert env.infos["black"]["outcome"] is Outcome.DRAW


# ---------------------------------------------------------------------- special moves in every notation

CASTLING_FEN = "r3k2r/pppppppp/8/8/8/8/PPPPPPPP/R3K2R w KQkq - 0 1"


@pytest.mark.parametrize(
    "white_move, black_move",
    [
        ("O-O", "O-O-O"),
        ("e1c1", "e8g8"),
        (uci_id("e1g1"), uci_id("e8c8")),
        ("O-O-O+", "0-0"),  # marks and zeros are read too
    ],
)
def test_castling_both_sides(white_move, black_move) -> None:
    env = make(fen=CASTLING_FEN)
    play(env, white_move, black_move)
    board = env.board
    white_kingside = board.piece_at(chess.G1) == chess.Piece(chess.KING, chess.WHITE)
    king, rook = (chess.G1, chess.F1) if white_kingside else (chess.C1, chess.D1)
    assert board.piece_at(king) == chess.Piece(chess.KING, chess.WHITE)
    assert board.piece_at(rook) == chess.Piece(chess.ROOK, chess.WHITE)
    king, rook = (chess.C8, chess.D8) if white_kingside else (chess.G8, chess.F8)
    assert board.piece_at(king) == chess.Piece(chess.KING, chess.BLACK)
    assert board.piece_at(rook) == chess.Piece(chess.ROOK, chess.BLACK)


PROMOTION_FEN = "7k/P7/8/8/8/8/8/K7 w - - 0 1"


@pytest.mark.parametrize(
    "action, piece",
    [
        ("a8=Q+", chess.QUEEN),
        ("a8=N", chess.KNIGHT),
        ("a7a8r", chess.ROOK),
        ("a7a8b", chess.BISHOP),
        (uci_id("a7a8q"), chess.QUEEN),
        (uci_id("a7a8b"), chess.BISHOP),
        (uci_id("a7a8n"), chess.KNIGHT),
    ],
)
def test_promotion_and_underpromotion(action, piece) -> None:
    env = make(fen=PROMOTION_FEN)
    play(env, action)
    assert env.board.piece_at(chess.A8) == chess.Piece(piece, chess.WHITE)


@pytest.mark.parametrize("capture", ["exd6", "e5d6", uci_id("e5d6")])
def test_en_passant(capture) -> None:
    env = make()
    play(env, "e4", "a6", "e5", "d5", capture)
    assert env.board.piece_at(chess.D5) is None
    assert env.board.piece_at(chess.D6) == chess.Piece(chess.PAWN, chess.WHITE)


# ---------------------------------------------------------------------- illegal actions


def test_default_policy_the_offender_loses() -> None:
    env = make()
    env.step("e4")
    env.step("Ke6")
    assert all(env.terminations.values())
    assert env.rewards == {"white": 1.0, "black": -1.0}
    assert env.infos["black"]["outcome"] is Outcome.LOSS and env.infos["white"]["outcome"] is Outcome.WIN
    assert env.infos["black"]["end_reason"] is EndReason.ILLEGAL_ACTION
    assert "king on e8 cannot move to e6" in env.infos["black"]["rejection"]


def test_max_illegal_actions_asks_again_then_forfeits() -> None:
    env = make(max_illegal_actions=2)
    fen = env.board.fen()
    env.step("e5")
    assert env.agent_selection == "white" and env.result is None and env.board.fen() == fen
    text = env.observe("white")["text"]
    assert text.startswith("Your action 'e5' was rejected:") and "starting rank" in text
    env.step("Nf4")
    env.step("e4")  # a good move ends the streak
    for bad in ("Qh4", "O-O", "e8e7"):
        assert env.result is None
        env.step(bad)
    assert env.infos["black"]["outcome"] is Outcome.LOSS
    assert env.infos["black"]["end_reason"] is EndReason.ILLEGAL_ACTION
    assert env.illegal_action_counts == {"white": 2, "black": 3}


def test_check_action_explains_without_changing_anything() -> None:
    env = make()
    ok, reason = env.check_action("white", uci_id("e2e5"))
    assert not ok and "e2e5" in reason
    assert env.check_action("white", "Nf3") == (True, "")
    assert env.check_action("black", "e5")[0] is False  # not black's turn
    assert env.board.fen() == chess.STARTING_FEN


# ---------------------------------------------------------------------- records


def random_game(env: ChessEnv, seed: int) -> None:
    rng = random.Random(seed)
    while env.result is None:
        legal = env.observe(env.agent_selection)["legal_actions"]
        env.step(rng.choice(legal))


@pytest.mark.parametrize(
    "notation, fen",
    [("san", None), ("uci", None), ("san", "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 3 3")],
)
def test_final_pgn_replays_to_the_final_position(notation: str, fen: str | None) -> None:
    env = make(notation=notation, fen=fen, max_plies=120)
    random_game(env, seed=3)
    pgn = env.infos["white"]["pgn"]
    game = chess.pgn.read_game(io.StringIO(pgn))
    assert not game.errors
    assert game.end().board().fen() == env.board.fen()
    assert game.headers["White"] == "white" and game.headers["Black"] == "black"
    assert game.headers["Result"] in ("1-0", "0-1", "1/2-1/2")
    assert game.headers.get("FEN") == fen


def test_pgn_result_of_a_checkmate() -> None:
    env = make()
    play(env, "f3", "e5", "g4", "Qh4#")
    game = chess.pgn.read_game(io.StringIO(env.infos["black"]["pgn"]))
    assert game.headers["Result"] == "0-1"
    assert [m.uci() for m in game.mainline_moves()] == ["f2f3", "e7e5", "g2g4", "d8h4"]


# ---------------------------------------------------------------------- what players see


def test_prompt_names_colour_turn_fen_board_and_history() -> None:
    env = make(show_legal_moves=True)
    play(env, "e4", "e5", "Nf3")
    text = env.observe("black")["text"]
    assert "You are playing chess as Black" in text and "Black's turn" in text
    assert fen_from_text(text) == env.board.fen()
    assert "1. e4 e5 2. Nf3" in text
    assert "5 . . . . p . . . 5" in text  # the board, with rank numbers
    assert "Legal moves: " in text and "Nc6" in text
    assert "Black: Ke8, Qd8" in text
    assert text.endswith(env.answer_format)
    white = env.observe("white")
    assert "as White" in white["text"] and "not yours" in white["text"] and white["legal_actions"] == ()


def test_legal_actions_are_san_with_check_marks_or_uci() -> None:
    fen = "k7/2P5/1K6/8/8/8/8/7R w - - 0 1"
    san = make(fen=fen).observe("white")
    assert isinstance(san["legal_actions"], tuple)
    assert {"c8=Q#", "Rh8#", "Ra1#", "c8=N"} <= set(san["legal_actions"])
    ids = set(np.flatnonzero(san["action_mask"]))
    assert ids == {move_to_id(m) for m in chess.Board(fen).legal_moves}
    uci = make(fen=fen, notation="uci")
    assert "c7c8q" in uci.observe("white")["legal_actions"]
    play(uci, "h1h8")
    assert "1. h1h8" in uci.observe("black")["text"]


def test_custom_prompt_template_uses_the_fields() -> None:
    env = make(prompt_template="{color} to play {turn} {move_number}\n{pieces}\n{history}\n{legal_moves}")
    text = env.observe("white")["text"]
    assert text.startswith("White to play White 1\nWhite: Ke1, Qd1, Ra1, Rh1")
    with pytest.raises(ValueError, match="unknown prompt field"):
        make(prompt_template="{nope}")


@pytest.mark.parametrize("bad", ["not a fen", "8/8/8/8/8/8/8/8 w - - 0 1", "k7/1Q6/1K6/8/8/8/8/8 b - - 0 1"])
def test_bad_fen_is_a_value_error_naming_it(bad: str) -> None:
    with pytest.raises(ValueError, match="FEN"):
        llm_arena_env.make("chess", fen=bad)
    env = make()
    with pytest.raises(ValueError, match=bad.split()[0]):
        env.reset(options={"fen": bad})


def test_reset_fen_option_sets_the_start() -> None:
    env = make()
    env.reset(options={"fen": PROMOTION_FEN})
    assert env.board.fen() == PROMOTION_FEN and env.agent_selection == "white"
    env.reset()
    assert env.board.fen() == chess.STARTING_FEN


def test_render_ansi_and_rgb_array() -> None:
    env = make(render_mode="ansi")
    play(env, "e4")
    text = env.render()
    assert "4 . . . . P . . . 4" in text and "Moves: 1. e4" in text
    image = make(render_mode="rgb_array", image_size=96).render()
    assert image.shape == (96, 96, 3) and image.dtype == np.uint8


@pytest.mark.parametrize("mode", ["image", "text+image"])
def test_image_observation_modes(mode: str) -> None:
    env = make(observation_mode=mode, image_size=128)
    observation = env.observe("black")
    assert observation["image"].shape == (128, 128, 3) and observation["image"].dtype == np.uint8
    assert env.observation_space("black").contains(observation)
    assert not np.array_equal(observation["image"], env.observe("white")["image"])  # black sees from its side


def test_one_move_changes_exactly_its_two_squares() -> None:
    size = 256
    board = chess.Board()
    before = draw_board(board, size)
    move = chess.Move.from_uci("e2e4")
    board.push(move)
    after = draw_board(board, size, last_move=move)
    assert np.array_equal(after, draw_board(board, size, last_move=move))  # deterministic
    changed = np.any(before != after, axis=2)
    expected = np.zeros_like(changed)
    for square in (chess.E2, chess.E4):
        left, top, right, bottom = square_box(square, size)
        assert changed[top:bottom, left:right].any()
        expected[top:bottom, left:right] = True
    assert not (changed & ~expected).any()


def test_pieces_are_drawn_in_both_colours() -> None:
    image = draw_board(chess.Board(), 256)

    def at(square):
        left, top, right, bottom = square_box(square, 256)
        return image[top:bottom, left:right]

    assert at(chess.E1).max() > 245 and at(chess.E8).min() < 40
    assert len(np.unique(at(chess.E4).reshape(-1, 3), axis=0)) == 1


def test_a_king_in_check_is_ringed_and_only_its_square_changes() -> None:
    checked = chess.Board("4k3/8/8/8/8/8/8/4R1K1 b - - 0 1")
    quiet = draw_board(chess.Board("4k3/8/8/8/8/8/8/4R1K1 w - - 0 1"), 256)
    changed = np.any(draw_board(checked, 256) != quiet, axis=2)
    left, top, right, bottom = square_box(chess.E8, 256)
    assert changed[top:bottom, left:right].any() and changed.sum() == changed[top:bottom, left:right].sum()


# ---------------------------------------------------------------------- robustness and conformance

FENS = [chess.STARTING_FEN, CASTLING_FEN, "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 3 3"]
ANY_ACTION = st.one_of(
    st.text(),
    st.text(alphabet="abcdefghKQRBNOx12345678=+#-0 ", max_size=8),
    st.from_regex(r"[a-hA-H][1-8][a-hA-H][1-8][qrbnkpQ]?", fullmatch=True),  # UCI-shaped
    st.from_regex(chess.SAN_REGEX),  # SAN-shaped
    st.builds(lambda text, times: text * times, st.text(min_size=1, max_size=5), st.integers(1000, 30_000)),
    st.text(alphabet=st.characters(codec="ascii", max_codepoint=31)),
    st.none(),
    st.floats(allow_nan=True),
    st.binary(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-5, max_value=4300),
    st.booleans(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fen=st.sampled_from(FENS), action=ANY_ACTION)
def test_any_action_is_judged_never_crashes(fen: str, action) -> None:
    env = make(fen=fen, max_illegal_actions=1)
    agent = env.agent_selection
    ok, reason = env.check_action(agent, action)
    env.step(action)
    if ok:
        assert env.board.fen() != fen and env.agent_selection != agent
    else:
        assert reason and env.infos[agent]["rejection"] == reason
        assert env.board.fen() == fen and env.agent_selection == agent and env.result is None
        assert reason in env.observe(agent)["text"]


def test_pettingzoo_api_test() -> None:
    api_test(llm_arena_env.make("chess"), num_cycles=100)
    api_test(llm_arena_env.make("chess", observation_mode="text+image", image_size=64), num_cycles=10)
