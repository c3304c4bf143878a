#!/usr/bin/env bash
# Scores every question set the project has: the shared one on the bundled corpus and the
# project's own sets on their corpora. Usage: benchmarks/quality.sh [article-bot binary]
set -euo pipefail
cd "$(dirname "$0")/.."
BOT=${1:-.venv/bin/article-bot}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {  # name corpus-dir questions
    echo "== $1 ($3)"
    ARTICLE_BOT_CORPUS_DIR=$2 ARTICLE_BOT_INDEX_DIR=$tmp/$1 "$BOT" eval "$3" 2>/dev/null
    echo
}
[ -f ../shared/eval/questions.jsonl ] && run shared corpus/bundled ../shared/eval/questions.jsonl
[ -f ../shared/eval/reader.jsonl ] && run shared-reader corpus/bundled ../shared/eval/reader.jsonl
run article-extra corpus/bundled tests/eval/article_extra.jsonl
run article-holdout corpus/bundled tests/eval/article_holdout.jsonl
run bike-lanes tests/corpora/bike-lanes tests/eval/bike_lanes.jsonl
run remote-work tests/corpora/remote-work tests/eval/remote_work.jsonl
# Near-domain sets: questions on each document's topic that it doesn't answer, and
# answerable ones phrased mostly without its words.
run article-near corpus/bundled tests/eval/article_near_domain.jsonl
run remote-work-near tests/corpora/remote-work tests/eval/remote_work_near_domain.jsonl
run bike-lanes-near tests/corpora/bike-lanes tests/eval/bike_lanes_near_domain.jsonl
# An encyclopedic article with SQuAD-style questions: a document unlike the others.
run encyclopedia tests/corpora/encyclopedia tests/eval/encyclopedia.jsonl
run encyclopedia-names tests/corpora/encyclopedia tests/eval/encyclopedia_names.jsonl
# Reader sets: overviews, stances, answering sentences and traps, written blind.
run article-reader corpus/bundled tests/eval/article_reader.jsonl
run remote-work-reader tests/corpora/remote-work tests/eval/remote_work_reader.jsonl
run bike-lanes-reader tests/corpora/bike-lanes tests/eval/bike_lanes_reader.jsonl
# Article-side overviews (evidence, objections the author answers, proposals, endings) in
# other words than the reader sets use.
run article-overview-words corpus/bundled tests/eval/article_overview_words.jsonl
run remote-work-overview-words tests/corpora/remote-work tests/eval/remote_work_overview_words.jsonl
run bike-lanes-overview-words tests/corpora/bike-lanes tests/eval/bike_lanes_overview_words.jsonl
