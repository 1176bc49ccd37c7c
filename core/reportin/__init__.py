"""在职党员到社区报到: in-service party members (members of a department's 机关党支部) register
with the residential community they live in, take a service post (服务岗位) and make a
pledge (承诺); the community records its activities, evaluates them every half year (民主测评)
and writes back to the department; each department's report-in rate is watched against 90%.

- ``rules``: the seed's numbers and words (5月10日, 90%, 4 activities, 好/较好/一般/差) and who
  may act for a member and a community;
- ``posts``: a community's service posts;
- ``registrations``: the one live registration per member and year, and withdrawal;
- ``activities``: the community's 社区报到活动 with the reported members who came;
- ``evaluations``: the half-yearly 民主测评;
- ``stats``: rates per department and per community, and each member's year;
- ``letter``: the printable feedback letter to the department.
"""
