"""The integrators' client of the public API (``ZapdocClient``) and the commands built on it: ``zapdoc
submit``, ``zapdoc credits``, ``zapdoc admin``, login; ``local_stack`` finds a stack ``zapdoc dev up``
started."""
