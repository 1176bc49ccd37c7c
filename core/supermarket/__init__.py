"""The 积分超市 (points supermarket): goods, exchanges at the counter, balances and reports.

``rules`` holds what the scheme says about spending (who spends, the window, the yuan per
point); ``balance`` asks the engine for a subject's balance; ``goods`` is the catalogue and
its stock; ``exchange`` the counter and its undo; ``reports`` the 发放台账 and the rates.
"""
