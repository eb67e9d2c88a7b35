"""Independent reference for shelfssl's linear evaluation (scikit-learn, Debian's python3-sklearn).

Fits L2-regularised multinomial logistic regression on standardised features, the protocol of ml/head/, with
scikit-learn's own solver, and prints JSON: test accuracy, the penalised mean cross-entropy at the solution
(shelfssl's objective scale) and the λ scikit-learn's own stratified CV would choose on the same grid.

usage: linear_probe.py DIR L2 [--grid G1,G2,...] [--threshold T --rounds R --pseudo-weight W]
  DIR holds train_x.npy, train_y.npy, test_x.npy, test_y.npy and, for self-training, pool_x.npy (the
  unlabelled pool: each round refits on labels + the previous fit's predictions of at least T confidence).
"""
import argparse
import json
import os
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score


def standardise(train, test):
    mean = train.mean(axis=0, dtype=np.float64)
    var = train.astype(np.float64).var(axis=0)
    std = np.where(var > 1e-12, np.sqrt(var), 1.0)
    return (train - mean) / std, (test - mean) / std


def model(l2, n):
    # scikit-learn minimises sum CE + ||W||^2 / (2C); shelfssl minimises mean CE + (l2/2)||W||^2.
    return LogisticRegression(C=1.0 / (n * l2), tol=1e-10, max_iter=20000)


def self_train(fit, x, y, pool, l2, args):
    """Pseudo-label rounds: labels + confident predictions of the previous fit, same standardisation and λ."""
    for _ in range(args.rounds):
        proba = fit.predict_proba(pool)
        keep = proba.max(axis=1) >= args.threshold
        pseudo = fit.classes_[proba.argmax(axis=1)][keep]
        weights = np.concatenate([np.ones(len(y)), np.full(len(pseudo), args.pseudo_weight)])
        x_all, y_all = np.concatenate([x, pool[keep]]), np.concatenate([y, pseudo])
        # scikit-learn's weighted objective is sum w·CE + ||W||²/(2C); shelfssl's is the weighted mean.
        fit = model(l2, weights.sum()).fit(x_all, y_all, sample_weight=weights)
    return fit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("l2", type=float)
    parser.add_argument("--grid", default="")
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--rounds", type=int, default=0)
    parser.add_argument("--pseudo-weight", type=float, default=1.0)
    args = parser.parse_args()
    folder, l2 = args.folder, args.l2
    grid = [float(v) for v in args.grid.split(",")] if args.grid else []
    train_raw = np.load(f"{folder}/train_x.npy")
    x, test_x = standardise(train_raw, np.load(f"{folder}/test_x.npy"))
    y, test_y = np.load(f"{folder}/train_y.npy"), np.load(f"{folder}/test_y.npy")
    n = len(y)
    fit = model(l2, n).fit(x, y)
    proba = fit.predict_proba(x)
    cross_entropy = -np.mean(np.log(proba[np.arange(n), np.searchsorted(fit.classes_, y)]))
    objective = cross_entropy + 0.5 * l2 * np.sum(fit.coef_**2)
    if args.rounds > 0 and os.path.exists(f"{folder}/pool_x.npy"):
        _, pool = standardise(train_raw, np.load(f"{folder}/pool_x.npy"))
        fit = self_train(fit, x, y, pool, l2, args)
    cv_choice = None
    smallest = np.bincount(y).min()
    if grid and smallest >= 2:
        folds = StratifiedKFold(n_splits=min(5, smallest), shuffle=True, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = [cross_val_score(model(g, n), x, y, cv=folds, scoring="neg_log_loss").mean() for g in grid]
        cv_choice = grid[int(np.argmax(scores))]
    print(json.dumps({
        "accuracy": float(np.mean(fit.predict(test_x) == test_y)),
        "objective": float(objective),
        "iterations": int(np.max(fit.n_iter_)),
        "cvChoice": cv_choice,
    }))


if __name__ == "__main__":
    main()
