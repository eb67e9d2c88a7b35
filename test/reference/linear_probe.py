"""Independent reference for shelfssl's linear evaluation (scikit-learn, Debian's python3-sklearn).

Fits L2-regularised multinomial logistic regression on standardised features, the protocol of ml/head/, with
scikit-learn's own solver, and prints JSON: test accuracy, the penalised mean cross-entropy at the solution
(shelfssl's objective scale) and the λ scikit-learn's own stratified CV would choose on the same grid.

usage: linear_probe.py DIR L2 [GRID]   DIR holds train_x.npy, train_y.npy, test_x.npy, test_y.npy
"""
import json
import sys
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


def main():
    folder, l2 = sys.argv[1], float(sys.argv[2])
    grid = [float(v) for v in sys.argv[3].split(",")] if len(sys.argv) > 3 else []
    x, test_x = standardise(np.load(f"{folder}/train_x.npy"), np.load(f"{folder}/test_x.npy"))
    y, test_y = np.load(f"{folder}/train_y.npy"), np.load(f"{folder}/test_y.npy")
    n = len(y)
    fit = model(l2, n).fit(x, y)
    proba = fit.predict_proba(x)
    cross_entropy = -np.mean(np.log(proba[np.arange(n), np.searchsorted(fit.classes_, y)]))
    objective = cross_entropy + 0.5 * l2 * np.sum(fit.coef_**2)
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
