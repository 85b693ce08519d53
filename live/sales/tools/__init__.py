"""Tools around the pipeline: sending signed events as a platform would (`client`), rehearsing
an order storm into a session in rehearsal (`rehearse`), and the queues' health for producers
(`queues`)."""
